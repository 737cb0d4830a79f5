package api

import (
	"testing"

	"toandan/internal/errs"
)

// The report API decodes whatever a client sends; no body may crash it, and
// every refusal names a field.
func FuzzDecodeReport(f *testing.F) {
	f.Add([]byte(`{"category":"khac","description":"Mô tả sự việc đủ dài.","anonymous":true}`))
	f.Add([]byte(`{"category":"kinh_te","commune_code":"00004","reporter":{"full_name":"Nguyễn Văn A","id_number":"001099012345","phone":"0912345678","address":"Hà Nội"},"location":{"lat":21.0,"lon":105.8}}`))
	f.Add([]byte(`{"anonymous":"yes"}`))
	f.Add([]byte(`{"foo":1}`))
	f.Add([]byte(`{} {}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var req reportRequest
		err := decodeJSON(data, &req)
		if err == nil {
			return
		}
		e, ok := errs.As(err)
		if !ok || e.Code != errs.Invalid || e.Field == "" {
			t.Fatalf("decode error %v does not name a field", err)
		}
	})
}
