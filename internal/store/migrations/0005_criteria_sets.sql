-- Criteria sets of the movement, as data with their legal source. A new
-- circular is a new set (or a new version) inserted by a later migration,
-- never a code change. Items marked UNCONFIRMED in the legal notes
-- (LEGAL.md sections 4 and 5) carry the mark in their note: check them
-- against the official gazette (vbpl.vn) before release.

-- Residential areas: Circular 124/2021/TT-BCA, Art. 4 (5 criteria, all must
-- hold), amended by Circular 48/2025/TT-BCA.
INSERT INTO criteria_sets (code, version, name, subject_kind, legal_source, effective_from, note) VALUES (
    'tt124_khu_dan_cu', '2021',
    'Khu dân cư đạt tiêu chuẩn “An toàn về an ninh, trật tự”',
    'residential_area',
    'Điều 4 Thông tư số 124/2021/TT-BCA ngày 28/12/2021 của Bộ trưởng Bộ Công an, sửa đổi, bổ sung bởi Thông tư số 48/2025/TT-BCA',
    '2022-02-10',
    'Công nhận khi đạt tất cả các tiêu chí. UNCONFIRMED: ngày hiệu lực và các nội dung sửa đổi khác của Thông tư 48/2025/TT-BCA chưa được đối chiếu.');

INSERT INTO criteria (set_id, position, code, text, note, auto_check)
SELECT id, 1, '1', 'Trong quý I hằng năm, chi bộ có nghị quyết, khu dân cư đăng ký phấn đấu đạt tiêu chuẩn “An toàn về an ninh, trật tự”; 100% hộ gia đình cư trú trên địa bàn đăng ký tham gia xây dựng khu dân cư “An toàn về an ninh, trật tự”.', '', ''
FROM criteria_sets WHERE code = 'tt124_khu_dan_cu' AND version = '2021';

INSERT INTO criteria (set_id, position, code, text, note, auto_check)
SELECT id, 2, '2', 'Thực hiện đầy đủ chủ trương, đường lối của Đảng, chính sách, pháp luật của Nhà nước và các quy định của địa phương về bảo đảm an ninh, trật tự.', '', ''
FROM criteria_sets WHERE code = 'tt124_khu_dan_cu' AND version = '2021';

INSERT INTO criteria (set_id, position, code, text, note, auto_check)
SELECT id, 3, '3', 'Không để xảy ra một trong các trường hợp: a) hoạt động chống Đảng, chống chính quyền, phá hoại khối đại đoàn kết toàn dân tộc; b) hoạt động phá hoại các mục tiêu, công trình trọng điểm về kinh tế, văn hóa, xã hội, an ninh, quốc phòng; c) tuyên truyền, phát triển đạo lạ, tôn giáo trái pháp luật; d) lợi dụng tín ngưỡng, tôn giáo, dân tộc, tranh chấp, khiếu kiện gây phức tạp về an ninh, trật tự; đ) hoạt động ly khai, đòi tự trị; và các trường hợp khác theo khoản 3 Điều 4.',
    'UNCONFIRMED: các trường hợp tiếp theo (mâu thuẫn, tranh chấp phức tạp, kéo dài trong Nhân dân; kích động, xúi giục, lôi kéo, mua chuộc người khác; …) và ký hiệu điểm của chúng chưa được đối chiếu với văn bản gốc.', ''
FROM criteria_sets WHERE code = 'tt124_khu_dan_cu' AND version = '2021';

INSERT INTO criteria (set_id, position, code, text, note, auto_check)
SELECT id, 4, '4', 'Kiềm chế, làm giảm tội phạm, tệ nạn xã hội, tai nạn và các hành vi vi phạm pháp luật khác trên địa bàn.',
    'UNCONFIRMED: nội dung tiêu chí chưa được xác nhận (tin là yêu cầu kiềm chế tội phạm, tệ nạn xã hội, tai nạn và các vi phạm pháp luật khác); đối chiếu khoản 4 Điều 4 trên vbpl.vn trước khi sử dụng chính thức.', ''
FROM criteria_sets WHERE code = 'tt124_khu_dan_cu' AND version = '2021';

INSERT INTO criteria (set_id, position, code, text, note, auto_check)
SELECT id, 5, '5', 'Tiêu chí thứ năm theo khoản 5 Điều 4 Thông tư 124/2021/TT-BCA (xem ghi chú).',
    'UNCONFIRMED: nội dung tiêu chí chưa được xác nhận; đối chiếu khoản 5 Điều 4 trên vbpl.vn và cập nhật bộ tiêu chí trước khi sử dụng chính thức.', ''
FROM criteria_sets WHERE code = 'tt124_khu_dan_cu' AND version = '2021';

-- Communes, wards and special zones: Circular 124/2021/TT-BCA, Art. 5
-- (4 criteria), as extended by Circular 48/2025/TT-BCA.
INSERT INTO criteria_sets (code, version, name, subject_kind, legal_source, effective_from, note) VALUES (
    'tt124_xa', '2021',
    'Xã, phường, đặc khu đạt tiêu chuẩn “An toàn về an ninh, trật tự”',
    'commune',
    'Điều 5 Thông tư số 124/2021/TT-BCA ngày 28/12/2021 của Bộ trưởng Bộ Công an, sửa đổi, bổ sung bởi Thông tư số 48/2025/TT-BCA',
    '2022-02-10',
    'Công nhận khi đạt tất cả các tiêu chí. UNCONFIRMED: ngày hiệu lực và các nội dung sửa đổi khác của Thông tư 48/2025/TT-BCA, thời gian đánh giá và cấp có thẩm quyền công nhận chưa được đối chiếu.');

INSERT INTO criteria (set_id, position, code, text, note, auto_check)
SELECT id, 1, '1', 'Trong quý I hằng năm, Đảng ủy có nghị quyết, Ủy ban nhân dân có kế hoạch bảo đảm an ninh, trật tự và đăng ký phấn đấu đạt tiêu chuẩn “An toàn về an ninh, trật tự”; xây dựng mới hoặc duy trì ít nhất một mô hình tự quản trong phong trào Toàn dân bảo vệ an ninh Tổ quốc hoạt động hiệu quả.',
    'Hệ thống tự kiểm tra có ít nhất một mô hình tự quản được đánh giá hoạt động hiệu quả trong năm.', 'effective_models:1'
FROM criteria_sets WHERE code = 'tt124_xa' AND version = '2021';

INSERT INTO criteria (set_id, position, code, text, note, auto_check)
SELECT id, 2, '2', 'Trên địa bàn đạt các tiêu chí quy định tại khoản 2, 3 và 4 Điều 4 (tiêu chí 2, 3, 4 của khu dân cư).',
    'UNCONFIRMED: nội dung khoản 4 Điều 4 chưa được xác nhận (xem bộ tiêu chí khu dân cư).', ''
FROM criteria_sets WHERE code = 'tt124_xa' AND version = '2021';

INSERT INTO criteria (set_id, position, code, text, note, auto_check)
SELECT id, 3, '3', 'Công an xã, phường, đặc khu làm tốt công tác tham mưu cho cấp ủy, chính quyền về bảo đảm an ninh, trật tự; không có cán bộ, chiến sĩ bị xử lý kỷ luật.', '', ''
FROM criteria_sets WHERE code = 'tt124_xa' AND version = '2021';

INSERT INTO criteria (set_id, position, code, text, note, auto_check)
SELECT id, 4, '4', '100% khu dân cư, cơ quan, doanh nghiệp, cơ sở giáo dục thuộc phạm vi quản lý đăng ký xây dựng và ít nhất 70% trong số đó được công nhận đạt tiêu chuẩn “An toàn về an ninh, trật tự”.',
    'Hệ thống tự kiểm tra phần khu dân cư theo các hồ sơ khu dân cư của năm; cơ quan, doanh nghiệp, cơ sở giáo dục chưa được theo dõi trong hệ thống.', 'areas_recognised_pct:70'
FROM criteria_sets WHERE code = 'tt124_xa' AND version = '2021';

-- Model ward police pilot (LEGAL.md section 5): a temporary criteria set of
-- the Ministry in four areas. The date below is the Ministry's working
-- meeting that started the pilot, not the set's own date, which is unknown.
INSERT INTO criteria_sets (code, version, name, subject_kind, legal_source, effective_from, note) VALUES (
    'cong_an_phuong_kieu_mau', 'tam-thoi',
    'Công an phường điển hình, kiểu mẫu về an ninh, trật tự và văn minh đô thị',
    'model_ward',
    'Bộ tiêu chí tạm thời của Bộ Công an về xây dựng thí điểm Công an phường điển hình, kiểu mẫu (dự thảo của Cục V05; chủ trương tại buổi làm việc ngày 17/03/2021)',
    '2021-03-17',
    'UNCONFIRMED: bộ tiêu chí tạm thời; số hiệu, ngày ban hành, các nhóm tiêu chí và trình tự đánh giá, công nhận chưa được xác nhận. Sự hài lòng của Nhân dân là thước đo.');

INSERT INTO criteria (set_id, position, code, text, note, auto_check)
SELECT id, 1, '1', 'Xây dựng lực lượng: Công an phường trong sạch, vững mạnh, điển hình, kiểu mẫu; được Nhân dân hài lòng.', 'UNCONFIRMED: nội dung chi tiết của nhóm tiêu chí chưa được xác nhận.', ''
FROM criteria_sets WHERE code = 'cong_an_phuong_kieu_mau' AND version = 'tam-thoi';

INSERT INTO criteria (set_id, position, code, text, note, auto_check)
SELECT id, 2, '2', 'An ninh: bảo đảm an ninh trên địa bàn phường.', 'UNCONFIRMED: nội dung chi tiết của nhóm tiêu chí chưa được xác nhận.', ''
FROM criteria_sets WHERE code = 'cong_an_phuong_kieu_mau' AND version = 'tam-thoi';

INSERT INTO criteria (set_id, position, code, text, note, auto_check)
SELECT id, 3, '3', 'Trật tự: bảo đảm trật tự, an toàn xã hội trên địa bàn phường.', 'UNCONFIRMED: nội dung chi tiết của nhóm tiêu chí chưa được xác nhận.', ''
FROM criteria_sets WHERE code = 'cong_an_phuong_kieu_mau' AND version = 'tam-thoi';

INSERT INTO criteria (set_id, position, code, text, note, auto_check)
SELECT id, 4, '4', 'Văn minh đô thị: xây dựng trật tự, văn minh đô thị trên địa bàn phường.', 'UNCONFIRMED: nội dung chi tiết của nhóm tiêu chí chưa được xác nhận.', ''
FROM criteria_sets WHERE code = 'cong_an_phuong_kieu_mau' AND version = 'tam-thoi';
