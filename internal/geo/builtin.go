package geo

import (
	"context"
	"fmt"

	"toandan/internal/store"
)

// ReformDate is the first day of the two-level geography (Resolution
// 202/2025/QH15; codes from Decision 19/2025/QĐ-TTg).
const ReformDate = "2025-07-01"

// builtinProvinces are the 34 province-level units in force from 1 July 2025,
// built in so that a fresh system works at province level before any import.
// Later changes (e.g. Đồng Nai becoming a municipality on 30 April 2026) come
// in by import, as new versions.
var builtinProvinces = []Unit{
	{Code: "01", Name: "Hà Nội", Type: "municipality", NameEN: "Ha Noi"},
	{Code: "04", Name: "Cao Bằng", Type: "province", NameEN: "Cao Bang"},
	{Code: "08", Name: "Tuyên Quang", Type: "province", NameEN: "Tuyen Quang"},
	{Code: "11", Name: "Điện Biên", Type: "province", NameEN: "Dien Bien"},
	{Code: "12", Name: "Lai Châu", Type: "province", NameEN: "Lai Chau"},
	{Code: "14", Name: "Sơn La", Type: "province", NameEN: "Son La"},
	{Code: "15", Name: "Lào Cai", Type: "province", NameEN: "Lao Cai"},
	{Code: "19", Name: "Thái Nguyên", Type: "province", NameEN: "Thai Nguyen"},
	{Code: "20", Name: "Lạng Sơn", Type: "province", NameEN: "Lang Son"},
	{Code: "22", Name: "Quảng Ninh", Type: "province", NameEN: "Quang Ninh"},
	{Code: "24", Name: "Bắc Ninh", Type: "province", NameEN: "Bac Ninh"},
	{Code: "25", Name: "Phú Thọ", Type: "province", NameEN: "Phu Tho"},
	{Code: "31", Name: "Hải Phòng", Type: "municipality", NameEN: "Hai Phong"},
	{Code: "33", Name: "Hưng Yên", Type: "province", NameEN: "Hung Yen"},
	{Code: "37", Name: "Ninh Bình", Type: "province", NameEN: "Ninh Binh"},
	{Code: "38", Name: "Thanh Hóa", Type: "province", NameEN: "Thanh Hoa"},
	{Code: "40", Name: "Nghệ An", Type: "province", NameEN: "Nghe An"},
	{Code: "42", Name: "Hà Tĩnh", Type: "province", NameEN: "Ha Tinh"},
	{Code: "44", Name: "Quảng Trị", Type: "province", NameEN: "Quang Tri"},
	{Code: "46", Name: "Huế", Type: "municipality", NameEN: "Hue"},
	{Code: "48", Name: "Đà Nẵng", Type: "municipality", NameEN: "Da Nang"},
	{Code: "51", Name: "Quảng Ngãi", Type: "province", NameEN: "Quang Ngai"},
	{Code: "52", Name: "Gia Lai", Type: "province", NameEN: "Gia Lai"},
	{Code: "56", Name: "Khánh Hòa", Type: "province", NameEN: "Khanh Hoa"},
	{Code: "66", Name: "Đắk Lắk", Type: "province", NameEN: "Dak Lak"},
	{Code: "68", Name: "Lâm Đồng", Type: "province", NameEN: "Lam Dong"},
	{Code: "75", Name: "Đồng Nai", Type: "province", NameEN: "Dong Nai"},
	{Code: "79", Name: "Hồ Chí Minh", Type: "municipality", NameEN: "Ho Chi Minh"},
	{Code: "80", Name: "Tây Ninh", Type: "province", NameEN: "Tay Ninh"},
	{Code: "82", Name: "Đồng Tháp", Type: "province", NameEN: "Dong Thap"},
	{Code: "86", Name: "Vĩnh Long", Type: "province", NameEN: "Vinh Long"},
	{Code: "91", Name: "An Giang", Type: "province", NameEN: "An Giang"},
	{Code: "92", Name: "Cần Thơ", Type: "municipality", NameEN: "Can Tho"},
	{Code: "96", Name: "Cà Mau", Type: "province", NameEN: "Ca Mau"},
}

// BuiltinProvinces returns a copy of the built-in province list.
func BuiltinProvinces() []Unit {
	out := make([]Unit, len(builtinProvinces))
	for i, u := range builtinProvinces {
		u.Level = LevelProvince
		u.ValidFrom = ReformDate
		if u.Type == "municipality" {
			u.FullName = "Thành phố " + u.Name
		} else {
			u.FullName = "Tỉnh " + u.Name
		}
		out[i] = u
	}
	return out
}

// EnsureBuiltins adds the built-in provinces, the national intake unit and a
// police unit per province, where they are missing. It is safe to run at
// every start, and by instances starting together on one database.
func EnsureBuiltins(ctx context.Context, db *store.DB, now string) error {
	err := ensureBuiltins(ctx, db, now)
	if store.IsUniqueViolation(err) {
		// Another instance starting at the same moment added them first:
		// on PostgreSQL both transactions saw them missing. They are there
		// now; look again.
		err = ensureBuiltins(ctx, db, now)
	}
	return err
}

func ensureBuiltins(ctx context.Context, db *store.DB, now string) error {
	return db.InTx(ctx, func(tx *store.Tx) error {
		for _, u := range BuiltinProvinces() {
			var n int
			if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM units WHERE code = ? AND valid_from <= ? AND (valid_to IS NULL OR valid_to >= ?)",
				u.Code, ReformDate, ReformDate).Scan(&n); err != nil {
				return fmt.Errorf("geo: builtins: %w", err)
			}
			if n == 0 {
				if _, err := tx.Exec(ctx, `INSERT INTO units (code, name, full_name, name_en, type, level, parent_code, valid_from, source)
					VALUES (?, ?, ?, ?, ?, ?, '', ?, 'built-in')`, u.Code, u.Name, u.FullName, u.NameEN, u.Type, u.Level, u.ValidFrom); err != nil {
					return fmt.Errorf("geo: builtins: %w", err)
				}
			}
			if err := ensurePoliceUnit(ctx, tx, u, u.Code, now); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO police_units (code, name, level, province_code, created_at)
			VALUES (?, ?, 'national', '', ?) ON CONFLICT (code) DO NOTHING`, NationalIntakeCode, "Bộ Công an (tiếp nhận chung)", now)
		if err != nil {
			return fmt.Errorf("geo: builtins: %w", err)
		}
		return nil
	})
}
