"""The API's messages in Vietnamese, by their English template (api/wording/services.py).

Keys are the messages as the code raises them, with ``{name}`` where the code puts a
value; each translation carries the same placeholders (tests/api/test_wording.py checks).
A new message that people read (a field error, a refusal) adds its line here:
tests/api/test_wording_coverage.py fails naming each raised message without one
(docs/architecture.md, "Adding a message")."""

from __future__ import annotations

VIETNAMESE: dict[str, str] = {
    # api/errors.py: the answers of the framework and of a failure on our side
    "There is nothing at this address.": "Không có gì ở địa chỉ này.",
    "The request body is too large.": "Nội dung gửi lên quá lớn.",
    "The request body is not valid JSON": "Nội dung gửi lên không phải JSON hợp lệ",
    "The request body is not valid JSON ({detail})": "Nội dung gửi lên không phải JSON hợp lệ ({detail})",
    "The request is not valid": "Yêu cầu không hợp lệ",
    "Request refused": "Yêu cầu bị từ chối",
    "A number in the request is out of range": "Một số trong yêu cầu vượt quá giới hạn",
    "Something went wrong on our side; the error has been logged.": "Hệ thống gặp lỗi; lỗi đã được ghi lại.",
    "Something went wrong on our side; the error has been logged with this request's id.": (
        "Hệ thống gặp lỗi; lỗi đã được ghi lại cùng mã của yêu cầu này."
    ),
    "(field: {field})": "(ô: {field})",
    # msgspec's schema checks (a 400 invalid_request lists them per field)
    "Object missing required field `{field}`": "Thiếu ô bắt buộc `{field}`",
    "Object contains unknown field `{field}`": "Ô `{field}` không thuộc yêu cầu này",
    "Expected `{expected}`, got `{got}`": "Giá trị không đúng kiểu: cần `{expected}`, nhận được `{got}`",
    "Expected `str` of length >= {n}": "Cần ít nhất {n} ký tự",
    "Expected `str` of length <= {n}": "Tối đa {n} ký tự",
    "Expected `array` of length >= {n}": "Cần ít nhất {n} mục",
    "Expected `array` of length <= {n}": "Tối đa {n} mục",
    "Expected `int` >= {n}": "Cần một số từ {n} trở lên",
    "Expected `int` <= {n}": "Cần một số không lớn hơn {n}",
    "Expected `int` > {n}": "Cần một số lớn hơn {n}",
    "Expected `int` < {n}": "Cần một số nhỏ hơn {n}",
    "Expected `str` matching regex {regex}": "Giá trị không đúng dạng {regex}",
    "Invalid enum value {value}": "Giá trị {value} không nằm trong các lựa chọn",
    "Invalid RFC3339 encoded date": "Ngày không hợp lệ (dạng NNNN-TT-NN)",
    "Invalid RFC3339 encoded time": "Giờ không hợp lệ (dạng GG:PP)",
    "Invalid RFC3339 encoded datetime": "Thời điểm không hợp lệ",
    # signing in, sessions, roles and areas
    "Please sign in first (session expired or missing)": "Hãy đăng nhập trước (phiên đã hết hạn hoặc chưa có)",
    "Missing or wrong X-CSRF-Token header: reload the page and try again": (
        "Thiếu hoặc sai mã bảo vệ (X-CSRF-Token): hãy tải lại trang rồi thử lại"
    ),
    "Wrong user name or password": "Sai tên đăng nhập hoặc mật khẩu",
    "The current password is wrong": "Mật khẩu hiện tại không đúng",
    "Your role ({role}) may not do this ({permission})": (
        "Vai trò của bạn ({role}) không được làm việc này ({permission})"
    ),
    "Too many failed sign-ins from this address; try again in {wait} seconds": (
        "Đăng nhập sai quá nhiều lần từ địa chỉ này; hãy thử lại sau {wait} giây"
    ),
    "Too many failed sign-ins for this account from this address; try again in {wait} seconds": (
        "Đăng nhập sai quá nhiều lần vào tài khoản này từ địa chỉ này; hãy thử lại sau {wait} giây"
    ),
    "Too many failed sign-ins for this account from new places (a device that signed in before is not held back, "
    "and an officer can clear the wait); try again in {wait} seconds": (
        "Đăng nhập sai quá nhiều lần vào tài khoản này từ nơi lạ (thiết bị đã từng đăng nhập không bị chặn, "
        "cán bộ quản lý có thể bỏ thời gian chờ); hãy thử lại sau {wait} giây"
    ),
    "This unit is above your area: ask an officer responsible for it": (
        "Đơn vị này ở trên địa bàn của bạn: hãy nhờ cán bộ phụ trách đơn vị đó"
    ),
    "Place {id} not found": "Không tìm thấy địa bàn {id}",
    "{where} contains {what}: control characters and bidirectional-text controls are not allowed in text "
    "(line breaks and tabs only in multi-line fields); remove it and send again": (
        "{where} chứa {what}: văn bản không được có ký tự điều khiển hay ký tự đổi chiều chữ "
        "(xuống dòng và tab chỉ ở ô nhiều dòng); hãy xoá ký tự đó rồi gửi lại"
    ),
    # registering and correcting a subject (the register and correct screens' field errors)
    "The name is empty": "Chưa nhập họ tên",
    "The birth date is in the future": "Ngày sinh ở tương lai",
    "The birth date is before {year}: check the year": "Ngày sinh trước năm {year}: hãy kiểm tra lại năm",
    "The expected delivery date must be within the next 10 months": "Ngày dự sinh phải trong vòng 10 tháng tới",
    "Only a woman can have a pregnancy recorded": "Chỉ ghi thai kỳ cho phụ nữ",
    "sex is F, M or U (unknown)": "Giới tính là F (nữ), M (nam) hoặc U (chưa rõ)",
    "relationship is one of {choices}": "Quan hệ là một trong: {choices}",
    "status is one of {choices}": "Trạng thái là một trong: {choices}",
    "These fields cannot be corrected here: {fields}": "Không sửa được các ô này ở đây: {fields}",
    "{phone} is not a valid phone number (e.g. 0912 345 678)": (
        "{phone} không phải số điện thoại hợp lệ (ví dụ 0912 345 678)"
    ),
    "Facility {id} does not exist": "Cơ sở {id} không tồn tại",
    "Facility {id} does not exist or is closed": "Cơ sở {id} không tồn tại hoặc đã đóng",
    "Facility {id} not found": "Không tìm thấy cơ sở {id}",
    "Place {id} does not exist": "Địa bàn {id} không tồn tại",
    "Place {id} does not exist today": "Địa bàn {id} hiện không còn",
    "Subject {id} not found": "Không tìm thấy đối tượng {id}",
    "No subject has the code {code}": "Không có đối tượng nào mang mã {code}",
    "A subject with this personal ID number is already registered": "Đã có đối tượng đăng ký với số định danh này",
    "Another subject already has this personal ID number": "Một đối tượng khác đã có số định danh này",
    "Records that may be the same person exist: check them, then confirm with not_duplicate_of": (
        "Có hồ sơ có thể là cùng một người: hãy kiểm tra rồi xác nhận"
    ),
    "Someone else changed this record meanwhile: reload it and try again": (
        "Người khác vừa sửa hồ sơ này: hãy tải lại rồi thử lại"
    ),
    "The date of death must be between the birth date and today": "Ngày mất phải từ ngày sinh đến hôm nay",
    # the personal ID number's checks (scanning/payloads/personal_id.py), one sentence each
    "A personal ID number has 12 digits, got {number}.": "Số định danh cá nhân có 12 chữ số, đã nhập {number}.",
    "{code} is not a province code (digits 1-3 of the ID number).": (
        "{code} không phải mã tỉnh (chữ số 1-3 của số định danh)."
    ),
    "The ID number says born in {year} (digits 4-6 {digits}), the card says {card}.": (
        "Số định danh cho biết sinh năm {year} (chữ số 4-6 là {digits}), thẻ ghi năm {card}."
    ),
    "The ID number says {sex} (digit 4 is {digit}), the card says {card}.": (
        "Số định danh cho biết giới tính {sex} (chữ số 4 là {digit}), thẻ ghi {card}."
    ),
    # moves and transfers between communes
    "Say why the subject moves": "Hãy ghi lý do chuyển",
    "The move date is in the future": "Ngày chuyển ở tương lai",
    "The move date is between the birth date and today": "Ngày chuyển phải từ ngày sinh đến hôm nay",
    "A deceased subject cannot move": "Đối tượng đã mất không thể chuyển đi",
    "The subject already lives there and is managed by that facility": (
        "Đối tượng đã sống ở đó và do cơ sở đó quản lý"
    ),
    "Subject {id} not found in your area. To take over a child who moved in, send the code from the card or "
    "the 12-digit personal ID number as proof, or file a transfer request": (
        "Không tìm thấy đối tượng {id} trong địa bàn của bạn. Để nhận một trẻ chuyển đến, hãy nhập mã trên thẻ "
        "hoặc số định danh 12 chữ số làm bằng chứng, hoặc gửi yêu cầu chuyển hồ sơ"
    ),
    "proof is the code from the card (like 7KM2-9QXH-C) or the 12-digit personal ID number": (
        "Bằng chứng là mã trên thẻ (như 7KM2-9QXH-C) hoặc số định danh cá nhân 12 chữ số"
    ),
    "Too many codes or ID numbers that matched no child; try again in {seconds} seconds, or file a transfer request": (
        "Đã nhập quá nhiều mã hoặc số định danh không khớp trẻ nào; hãy thử lại sau {seconds} giây, "
        "hoặc gửi yêu cầu chuyển hồ sơ"
    ),
    "Transfer request {id} not found": "Không tìm thấy yêu cầu chuyển {id}",
    "This request is already {status}": "Yêu cầu này đã được quyết định: {status}",
    "You filed this request: someone on the side the child comes from decides it": (
        "Bạn là người gửi yêu cầu này: phía nơi trẻ chuyển đi sẽ quyết định"
    ),
    "Type at least {n} letters of the commune or facility": "Hãy gõ ít nhất {n} chữ của tên xã hoặc cơ sở",
    # duplicates and merges
    "A subject cannot be merged into itself": "Không thể gộp một hồ sơ vào chính nó",
    "Subject {id} was already merged into subject {into}": "Hồ sơ {id} đã được gộp vào hồ sơ {into}",
    "The two records have different personal ID numbers, so they are two people: correct the wrong number first": (
        "Hai hồ sơ có số định danh khác nhau nên là hai người: hãy sửa số sai trước"
    ),
    "Merge {id} not found": "Không tìm thấy lần gộp {id}",
    "This merge was already undone": "Lần gộp này đã được hoàn tác",
    "Subject {id} has since been merged into subject {into}: undo that merge first": (
        "Hồ sơ {id} sau đó đã được gộp vào hồ sơ {into}: hãy hoàn tác lần gộp đó trước"
    ),
    "Duplicate pair {id} not found": "Không tìm thấy cặp hồ sơ trùng {id}",
    "This pair was already {status}": "Cặp hồ sơ này đã được xử lý: {status}",
    # parents linking a child, scanning
    "The birth date does not match this card": "Ngày sinh không khớp với thẻ này",
    "This code has expired or was never sent: ask for a new one": (
        "Mã này đã hết hạn hoặc chưa được gửi: hãy xin mã mới"
    ),
    "Too many wrong codes: ask for a new one": "Nhập sai mã quá nhiều lần: hãy xin mã mới",
    "Too many linking attempts; try again in {seconds} seconds": (
        "Liên kết quá nhiều lần; hãy thử lại sau {seconds} giây"
    ),
    "Only parent accounts link children (your role: {role})": (
        "Chỉ tài khoản phụ huynh mới liên kết trẻ (vai trò của bạn: {role})"
    ),
    "Too many scans; try again in {seconds} seconds": "Quét quá nhiều lần; hãy thử lại sau {seconds} giây",
    # vaccination sessions and campaigns (api/records/sessions)
    "Choose the facility that holds the session": "Hãy chọn cơ sở tổ chức buổi tiêm",
    "This facility is outside your area: a session is planned by its own staff or officers": (
        "Cơ sở này nằm ngoài khu vực của bạn: buổi tiêm do nhân viên của cơ sở hoặc cán bộ phụ trách lập kế hoạch"
    ),
    "Account {id} is not active staff of this facility": (
        "Tài khoản {id} không phải nhân viên đang làm việc của cơ sở này"
    ),
    "Unknown vaccine group {group}: use the schedule's groups (for example Measles/MR, DTP, Polio)": (
        "Không có nhóm vắc xin {group}: hãy dùng các nhóm của lịch tiêm (ví dụ Measles/MR, DTP, Polio)"
    ),
    "A session is planned for today or a later day, not {day}": (
        "Buổi tiêm được lập kế hoạch cho hôm nay hoặc ngày sau, không phải {day}"
    ),
    "Session {id} not found": "Không tìm thấy buổi tiêm {id}",
    "Session {id} is closed: nothing more is recorded in it": (
        "Buổi tiêm {id} đã kết thúc: không ghi thêm gì vào buổi này"
    ),
    "Session {id} is not a session of this facility": "Buổi tiêm {id} không phải của cơ sở này",
    "Session {id} is held on {day}, not on {on}": "Buổi tiêm {id} diễn ra ngày {day}, không phải ngày {on}",
    "Campaign {id} not found": "Không tìm thấy chiến dịch {id}",
    "Campaign {id} runs from {start} to {end}, not on {on}": (
        "Chiến dịch {id} diễn ra từ {start} đến {end}, không phải ngày {on}"
    ),
    "Say why the dose is postponed (at least 3 characters)": "Hãy ghi lý do hoãn tiêm (ít nhất 3 ký tự)",
    "Subject {id} is not on the roster of session {session}: record their dose from their record": (
        "Đối tượng {id} không có trong danh sách của buổi tiêm {session}: hãy ghi mũi tiêm từ hồ sơ của trẻ"
    ),
    "Give the campaign's area: a place (province, district, commune) or a facility": (
        "Hãy chọn khu vực của chiến dịch: một địa bàn (tỉnh, huyện, xã) hoặc một cơ sở"
    ),
    "Campaigns are planned by officers": "Chiến dịch do cán bộ phụ trách lập kế hoạch",
    "The age range ends before it starts": "Khoảng tuổi kết thúc trước khi bắt đầu",
    "Dose {id} not found": "Không tìm thấy mũi tiêm {id}",
    # recording doses (api/records): the record and correct screens, the vaccinator's words
    "Name the subject by subject_id, or by subject_key for a child registered offline": (
        "Hãy chọn đối tượng được tiêm (subject_id, hoặc subject_key cho trẻ đăng ký khi mất mạng)"
    ),
    "A correction keeps the dose's subject: to move a dose to another person, void it and record it there": (
        "Sửa mũi tiêm không đổi được người được tiêm: hãy huỷ mũi này rồi ghi lại cho đúng người"
    ),
    "administered_at needs a time zone offset (e.g. +07:00)": "Thời điểm tiêm cần có múi giờ (ví dụ +07:00)",
    "Give the date the dose was given": "Hãy nhập ngày tiêm",
    "administered_at is {day} in Vietnam, not {on}: send one or make them agree": (
        "Thời điểm tiêm là ngày {day} theo giờ Việt Nam, không phải {on}: hãy nhập một ngày hoặc sửa cho khớp"
    ),
    "The dose date {day} is in the future (today is {today})": "Ngày tiêm {day} ở tương lai (hôm nay là {today})",
    "The dose date {day} is before the birth date {birth_date}": "Ngày tiêm {day} trước ngày sinh {birth_date}",
    "The dose date {day} is after the date of death {died_on}": "Ngày tiêm {day} sau ngày mất {died_on}",
    "A dose given here names the store and the lot it came from": "Hãy chọn kho và lô vắc xin của mũi tiêm",
    "Doses from stock are recorded by the staff of the facility that holds the stock": (
        "Chỉ cán bộ của cơ sở giữ kho mới ghi được mũi tiêm lấy từ kho"
    ),
    "Lot {lot} not found": "Không tìm thấy lô {lot}",
    "Lot {lot} is not in the store {store}: pick a lot the store holds": (
        "Lô {lot} không có trong kho {store}: hãy chọn một lô kho đang giữ"
    ),
    "Lot {lot} is a lot of {product}, not of product {other}": (
        "Lô {lot} là lô của {product}, không phải của sản phẩm {other}"
    ),
    "Lot {lot} of {product} is on hold (stopped everywhere): do not use it, take a vial of another lot": (
        "Lô {lot} của {product} đang bị tạm dừng sử dụng trên toàn quốc: không dùng lô này, hãy lấy lọ của lô khác"
    ),
    "Lot {lot} of {product} expired on {expiry}: do not use it, take a vial of another lot": (
        "Lô {lot} của {product} đã hết hạn ngày {expiry}: không dùng lô này, hãy lấy lọ của lô khác"
    ),
    "Unknown vaccine code {code}": "Không có mã vắc xin {code}",
    "A historical dose takes nothing from stock: give lot_number, not lot_id": (
        "Mũi tiêm cũ (chép từ thẻ) không trừ kho: hãy nhập số lô, không chọn lô trong kho"
    ),
    "A contraindication ({codes}): record this dose only with an explicit override (override_contraindication) "
    "and the reason": (
        "Có chống chỉ định ({codes}): chỉ ghi mũi tiêm này khi xác nhận rõ bỏ qua chống chỉ định và ghi lý do"
    ),
    "Confirm before saving ({codes}): record the dose only with the reason it is given (override_reason)": (
        "Cần xác nhận trước khi lưu ({codes}): hãy ghi lý do vẫn tiêm mũi này"
    ),
    "This key was used for another dose: use a new key for a new dose": (
        "Mã chống ghi trùng này đã dùng cho mũi tiêm khác: mũi tiêm mới cần mã mới"
    ),
    "Dose {id} was already voided ({reason})": "Mũi tiêm {id} đã bị huỷ trước đó ({reason})",
    # the due list
    "Give facility_id or place_id, not both": "Hãy chọn cơ sở hoặc địa bàn, không chọn cả hai",
    "Give the facility_id or the place_id of the list": "Hãy chọn cơ sở hoặc địa bàn của danh sách",
    "The range ends ({until}) before it starts ({since})": "Ngày kết thúc ({until}) trước ngày bắt đầu ({since})",
    "A due list covers at most {days} days": "Danh sách đến hạn chỉ gồm tối đa {days} ngày",
    # the forecast and screening (api/immunization, schedule/vn/screening.py)
    "The birth date is after the assessment date": "Ngày sinh sau ngày đánh giá",
    "The birth date is more than {years} years ago": "Ngày sinh cách đây hơn {years} năm",
    "A dose is dated before the birth date": "Có mũi tiêm ghi ngày trước ngày sinh",
    "Unknown observation code {code}": "Không có mã tình trạng {code}",
    "Unknown screening form {form} (one of: {forms})": "Không có phiếu khám sàng lọc {form} (chọn một trong: {forms})",
    "The {form} form does not fit the child's age on {day}: use {others}": (
        "Phiếu {form} không hợp với tuổi của trẻ vào ngày {day}: hãy dùng {others}"
    ),
    "form {form} has no question {question}": "Phiếu {form} không có câu hỏi {question}",
    "{question}: the end ({end}) is before the start ({start})": (
        "{question}: ngày kết thúc ({end}) trước ngày bắt đầu ({start})"
    ),
    "{question}: name the vaccine of the previous dose (a known vaccine_code)": (
        "{question}: hãy chọn vắc xin của mũi tiêm trước"
    ),
    # offline writes sent in a batch (api/sync)
    "No registration was received with key {key}: send the registration first (it may be waiting or refused on "
    "the device), then this write": (
        "Máy chủ chưa nhận được lượt đăng ký mang mã {key}: hãy gửi lượt đăng ký trước (có thể nó còn chờ "
        "hoặc bị từ chối trên máy), rồi mới gửi việc này"
    ),
    "A batch holds at most {most} writes ({sent} sent): send the first {first}, then the rest after their answer": (
        "Mỗi lần gửi tối đa {most} việc (đã gửi {sent}): hãy gửi {first} việc đầu, rồi gửi tiếp sau khi có trả lời"
    ),
    "last_synced_at needs a time zone offset: send back the synced_at answered": (
        "Thời điểm đồng bộ lần trước cần có múi giờ: hãy gửi lại đúng giá trị synced_at đã nhận"
    ),
    "{method} {path} is not taken in a batch: send it on its own": (
        "{method} {path} không gửi chung được: hãy gửi riêng"
    ),
    "This write names the write {key}, which was refused: resolve that one first": (
        "Việc này dựa vào việc {key} đã bị từ chối: hãy xử lý việc đó trước"
    ),
    "Dose review {id} was already resolved: {note}": "Mũi tiêm cần xem lại {id} đã được xử lý: {note}",
    # keys that make a write safe to retry, and the request's form
    "The Idempotency-Key header must be a UUID such as {example}: make a new one for each write and send the same "
    "one again only when retrying that write": (
        "Mã Idempotency-Key phải là một UUID như {example}: mỗi lần ghi tạo mã mới, chỉ gửi lại mã cũ khi "
        "thử lại đúng lần ghi đó"
    ),
    "This Idempotency-Key was already used for {method} {path}: send a new key for a new write (the same key is "
    "only for retrying the very same request)": (
        "Mã Idempotency-Key này đã dùng cho {method} {path}: lần ghi mới cần mã mới (mã cũ chỉ để thử lại "
        "đúng yêu cầu đó)"
    ),
    "This Idempotency-Key was already used for {method} {path} with another body: send a new key for a new write "
    "(the same key is only for retrying the very same request)": (
        "Mã Idempotency-Key này đã dùng cho {method} {path} với nội dung khác: lần ghi mới cần mã mới (mã cũ chỉ "
        "để thử lại đúng yêu cầu đó)"
    ),
    "Send the body as JSON with the header Content-Type: application/json (not {sent})": (
        "Hãy gửi nội dung dạng JSON với Content-Type: application/json (không phải {sent})"
    ),
    "Send the body as JSON with the header Content-Type: application/json (not a body without a Content-Type)": (
        "Hãy gửi nội dung dạng JSON với Content-Type: application/json (yêu cầu đang thiếu Content-Type)"
    ),
    "The request body nests deeper than {depth} levels; no request of this API does": (
        "Nội dung gửi lên lồng nhau quá {depth} tầng; không yêu cầu nào của hệ thống cần như vậy"
    ),
    # photos, scanned codes and certificates
    "The upload could not be read: {detail}": "Không đọc được tệp gửi lên: {detail}",
    "Send the photo in a form field named 'file'": "Hãy gửi ảnh trong ô tên 'file'",
    "Send a JPEG, PNG or WebP photo, not {kind}": "Hãy gửi ảnh JPEG, PNG hoặc WebP, không phải {kind}",
    "Send a JPEG, PNG or WebP photo, not an untyped body": (
        "Hãy gửi ảnh JPEG, PNG hoặc WebP (tệp gửi lên không rõ loại)"
    ),
    "The request has no photo in it": "Yêu cầu không có ảnh",
    "No QR code was found in the photo: {hint}": "Không tìm thấy mã QR trong ảnh: {hint}",
    "hold the QR code flat, in good light, filling most of the photo": (
        "hãy để mã QR phẳng, đủ sáng và chiếm gần hết khung ảnh"
    ),
    "The photo is too dark: add light or turn on the flash.": "Ảnh quá tối: hãy thêm ánh sáng hoặc bật đèn flash.",
    "The photo is washed out: avoid direct light or glare on the label.": (
        "Ảnh bị lóa: tránh ánh sáng chiếu thẳng hoặc phản chiếu trên nhãn."
    ),
    "The code barely stands out: hold the label flat and well lit.": "Mã bị mờ: hãy để nhãn phẳng và đủ sáng.",
    "The photo is blurred: hold still and let the camera focus.": "Ảnh bị nhòe: hãy giữ yên máy để camera lấy nét.",
    "The photo is too small: move closer so the code fills more of it.": (
        "Mã trong ảnh quá nhỏ: hãy đưa máy lại gần để mã chiếm nhiều khung hơn."
    ),
    "The upload is empty.": "Tệp gửi lên trống.",
    "The image has no pixels.": "Ảnh không có điểm ảnh nào.",
    "The image cannot be decoded: {detail}": "Không đọc được ảnh: {detail}",
    "The upload is not an image format we can read.": "Tệp gửi lên không phải dạng ảnh hệ thống đọc được.",
    "The image is too large: {detail}": "Ảnh quá lớn: {detail}",
    "The image header is damaged: {detail}": "Phần đầu của tệp ảnh bị hỏng: {detail}",
    "The image has {pixels} pixels; at most {most} are accepted.": "Ảnh có {pixels} điểm ảnh; tối đa {most}.",
    "HEIC photos cannot be read: upload JPEG (on iPhone, Settings › Camera › Formats › Most Compatible).": (
        "Không đọc được ảnh HEIC: hãy gửi ảnh JPEG (trên iPhone: Cài đặt › Camera › Định dạng › Tương thích nhất)."
    ),
    "The text is not a citizen ID card QR payload (expected fields separated by '|' with a 12-digit ID number).": (
        "Đây không phải mã QR của thẻ căn cước (cần các trường cách nhau bởi '|' với số định danh 12 chữ số)."
    ),
    "No 12-digit ID number in the card payload.": "Mã trên thẻ không có số định danh 12 chữ số.",
    "The text is not GS1 data: no application identifiers were found.": (
        "Đây không phải mã GS1: không thấy mã định danh ứng dụng (AI) nào."
    ),
    "The GS1 symbol is empty.": "Mã GS1 trống.",
    "No GS1 application identifiers were found.": "Không thấy mã định danh ứng dụng (AI) GS1 nào.",
    "Unbalanced brackets or stray text at {where}.": "Dấu ngoặc không khớp hoặc có chữ thừa ở {where}.",
    "Malformed GS1 element string: {detail}": "Chuỗi GS1 sai dạng: {detail}",
    "Unexpected text {text} in {where}.": "Có chữ không mong đợi {text} trong {where}.",
    "AI ({ai}) has no value.": "AI ({ai}) không có giá trị.",
    "AI ({ai}) contains a space.": "AI ({ai}) có khoảng trắng.",
    "Malformed GS1 data: {detail}": "Dữ liệu GS1 sai dạng: {detail}",
    "Malformed GS1 Digital Link URI: {detail}": "Đường dẫn GS1 Digital Link sai dạng: {detail}",
    "Malformed GTIN {gtin}: {detail}": "GTIN {gtin} sai dạng: {detail}",
    "AI ({ai}) appears twice with different values: {one} and {other}.": (
        "AI ({ai}) xuất hiện hai lần với hai giá trị khác nhau: {one} và {other}."
    ),
    "A subject card carries 3 fields (NIIS1|code|signature), not {n}": (
        "Mã QR trên thẻ tiêm chủng có 3 phần (NIIS1|mã|chữ ký), không phải {n}"
    ),
    "The card's code is not 9 characters of the code alphabet": "Mã trên thẻ không phải 9 ký tự hợp lệ",
    "The card's signature is not {n} base-32 characters": "Chữ ký trên thẻ không phải {n} ký tự base-32",
    "This is not a subject card QR code (it starts with NIIS1|)": (
        "Đây không phải mã QR của thẻ tiêm chủng (mã thẻ bắt đầu bằng NIIS1|)"
    ),
    "A code has {n} characters (like 7KM2-9QXH-Q), not {got}": "Mã có {n} ký tự (như 7KM2-9QXH-Q), không phải {got}",
    "A code cannot contain {characters}": "Mã không được chứa {characters}",
    "This code is mistyped: its last character does not match": "Mã bị gõ sai: ký tự cuối không khớp",
    "This is not a SMART Health Card: its text does not start with shc:/": (
        "Đây không phải chứng nhận SMART Health Card: mã không bắt đầu bằng shc:/"
    ),
    "This card is one part of several QR codes (chunked), which is not supported": (
        "Chứng nhận này chỉ là một phần của nhiều mã QR, hệ thống chưa đọc được loại này"
    ),
    "The card's numbers are damaged (not an even run of digits)": (
        "Dãy số của chứng nhận bị hỏng (số chữ số không chẵn)"
    ),
    "The card's numbers are damaged (a value outside the code table)": (
        "Dãy số của chứng nhận bị hỏng (có giá trị ngoài bảng mã)"
    ),
    "This card names another issuer ({issuer}), not this system": (
        "Chứng nhận này do nơi khác cấp ({issuer}), không phải hệ thống này"
    ),
    "The card's signature header is not that of a SMART Health Card (ES256, DEF)": (
        "Phần đầu chữ ký không phải của SMART Health Card (ES256, DEF)"
    ),
    "This card was signed by a key that is not one of this system's issuer keys": (
        "Chứng nhận được ký bằng khoá không thuộc hệ thống này"
    ),
    "The card's signature does not match its content: it was changed or forged": (
        "Chữ ký không khớp với nội dung: chứng nhận đã bị sửa hoặc giả mạo"
    ),
    "This signed code is not a SMART Health Card (no health-card type)": (
        "Mã đã ký này không phải SMART Health Card (không có loại chứng nhận y tế)"
    ),
    "The code on this card is not a valid code (check character)": "Mã trên thẻ không hợp lệ (ký tự kiểm tra sai)",
    "This card was not issued by this system (its signature does not match)": (
        "Thẻ này không do hệ thống cấp (chữ ký không khớp)"
    ),
    "Not a valid card": "Thẻ không hợp lệ",
    "This signed code does not hold a vaccination record (FHIR bundle) we can read": (
        "Mã đã ký này không chứa hồ sơ tiêm chủng (FHIR) đọc được"
    ),
    "The card's signed part cannot be read (not a JWS)": "Không đọc được phần đã ký của chứng nhận (không phải JWS)",
    "The card's content is not compressed JSON": "Nội dung chứng nhận không phải JSON nén",
    # what a citizen ID card's QR gave (the registration form's prefill), one sentence each
    "Field {n} ({text}) is not a valid date.": "Trường {n} ({text}) không phải ngày hợp lệ.",
    "The card payload has no name.": "Mã trên thẻ không có họ tên.",
    "The card payload has no birth date.": "Mã trên thẻ không có ngày sinh.",
    "The card payload has no sex (Nam/Nữ).": "Mã trên thẻ không có giới tính (Nam/Nữ).",
    "{n} field(s) were not understood.": "Có {n} trường không đọc được.",
    "The birth date {day} is in the future.": "Ngày sinh {day} ở tương lai.",
    "The card was issued before the birth date.": "Thẻ được cấp trước ngày sinh.",
    "{n} doses do not fit in one SMART Health Card QR code even without lot numbers (the signed card would be "
    "{length} characters, at most {most} fit)": (
        "{n} mũi tiêm không vừa một mã QR SMART Health Card kể cả khi bỏ số lô (thẻ đã ký dài {length} ký tự, "
        "tối đa {most})"
    ),
    # vaccine stock (api/stock): the stock screens, the clerk's words
    "Product {id} not found": "Không tìm thấy sản phẩm {id}",
    "A product with code {code} already exists": "Đã có sản phẩm mang mã {code}",
    "{text} is not a valid GTIN ({why}): scan the barcode again or retype it": (
        "{text} không phải GTIN hợp lệ ({why}): hãy quét lại mã vạch hoặc gõ lại"
    ),
    "GTIN {gtin} is not in the catalogue yet: an officer registers it from the scanned label": (
        "GTIN {gtin} chưa có trong danh mục: cán bộ quản lý cần đăng ký từ nhãn đã quét"
    ),
    "GTIN {gtin} is already registered": "GTIN {gtin} đã được đăng ký",
    "open_vial_hours is given exactly when the open-vial rule is 'hours'": (
        "Chỉ nhập số giờ dùng lọ đã mở khi quy tắc lọ đã mở là 'theo giờ'"
    ),
    "Lot {lot} of {product} is on hold: do not issue or use it": (
        "Lô {lot} của {product} đang bị tạm dừng sử dụng: không xuất, không dùng lô này"
    ),
    "Lot {lot} of {product} expired on {expiry}: record it as expired instead": (
        "Lô {lot} của {product} đã hết hạn ngày {expiry}: hãy ghi hủy do hết hạn"
    ),
    "Lot {lot} of {product} is recorded with expiry {expiry}, not {given}: check the label": (
        "Lô {lot} của {product} đã được ghi hạn dùng {expiry}, không phải {given}: hãy kiểm tra nhãn"
    ),
    "Lot {lot} of {product} expired on {expiry}: do not accept it": (
        "Lô {lot} của {product} đã hết hạn ngày {expiry}: không nhận lô này"
    ),
    "Lot {lot} is a lot of {product}, not of {other} (GTIN {gtin}): pick the lot of this product": (
        "Lô {lot} là lô của {product}, không phải của {other} (GTIN {gtin}): hãy chọn lô của sản phẩm này"
    ),
    "Only {on_hand} doses of lot {lot} ({product}) are on hand, {asked} asked: record the receipt or count first, "
    "or take fewer": (
        "Lô {lot} ({product}) chỉ còn {on_hand} liều, cần {asked}: hãy ghi phiếu nhập hoặc kiểm kê trước, "
        "hoặc lấy ít hơn"
    ),
    "Store {id} not found": "Không tìm thấy kho {id}",
    "Store {id} not found among the stores you may see": "Không tìm thấy kho {id} trong các kho bạn được xem",
    "Store {name} is closed": "Kho {name} đã đóng",
    "A {level} store is supplied from a higher level, not from a {other} store": (
        "Kho {level} được cấp từ tuyến trên, không phải từ kho {other}"
    ),
    "A shipment goes to another store": "Phiếu xuất phải chuyển đến một kho khác",
    "A receipt line names a lot_id, or the GTIN, lot number and expiry from the label": (
        "Mỗi dòng phiếu nhập cần chọn lô, hoặc nhập GTIN, số lô và hạn dùng trên nhãn"
    ),
    "Each lot appears once in a receipt, shipment or count": (
        "Mỗi lô chỉ có một dòng trong phiếu nhập, phiếu xuất hay kiểm kê"
    ),
    "{product} ({gtin}) carries no VVM: leave the VVM stage empty": (
        "{product} ({gtin}) không có chỉ thị nhiệt độ (VVM): hãy để trống ô VVM"
    ),
    "Shipment {id} to this store not found": "Không tìm thấy phiếu xuất {id} đến kho này",
    "Shipment {id} was already {status}: nothing to receive": "Phiếu xuất {id} đã {status}: không còn gì để nhận",
    "Shipment {id} was already {status}: it can no longer be called back": (
        "Phiếu xuất {id} đã {status}: không thể thu hồi nữa"
    ),
    "Lot {lot} is not in shipment {shipment}": "Lô {lot} không có trong phiếu xuất {shipment}",
    "{shipped} doses of lot {lot} were shipped, not {given}: record the extra doses as a 'found' adjustment": (
        "Lô {lot} được xuất {shipped} liều, không phải {given}: hãy ghi số liều dư bằng phiếu điều chỉnh 'tìm thấy'"
    ),
    "Say why fewer doses arrived (short, damaged, vvm, temperature_alarm), and only then": (
        "Hãy ghi lý do nhận thiếu liều (thiếu, hỏng, VVM, báo động nhiệt độ), chỉ khi nhận thiếu"
    ),
    "Doses administered are at least 1": "Số liều đã tiêm phải từ 1 trở lên",
    "Stock event {id} not found": "Không tìm thấy phiếu kho {id}",
    "Stock event {id} of this store not found": "Không tìm thấy phiếu kho {id} của kho này",
    "Event {id} is itself a reversal and is not reversed: record the right entry instead": (
        "Phiếu {id} là phiếu huỷ nên không huỷ được: hãy ghi phiếu đúng thay vào"
    ),
    "Event {id} was already reversed": "Phiếu {id} đã được huỷ",
    "A received shipment is not reversed: record what differs with an adjustment or a count": (
        "Phiếu xuất đã nhận thì không huỷ được: hãy ghi chênh lệch bằng phiếu điều chỉnh hoặc kiểm kê"
    ),
    "The period ends on or after the day it starts": "Ngày kết thúc phải từ ngày bắt đầu trở đi",
    "Min is at least 0 and below max": "Mức tối thiểu phải từ 0 và nhỏ hơn mức tối đa",
    "Open vial {id} not found": "Không tìm thấy lọ đã mở {id}",
    "Open vial {id} of this store not found": "Không tìm thấy lọ đã mở {id} của kho này",
    "{product} comes in single-dose vials: nothing stays open, record the dose only": (
        "{product} là lọ một liều: không có lọ mở, chỉ cần ghi mũi tiêm"
    ),
    "A vial is opened now or earlier, not in the future": "Thời điểm mở lọ là bây giờ hoặc trước đó, không ở tương lai",
    "Name the session to close (the one its vials were opened in)": (
        "Hãy chọn buổi tiêm cần kết thúc (buổi đã mở các lọ)"
    ),
    "Vial {id} was already closed ({how}): nothing left to discard": "Lọ {id} đã đóng ({how}): không còn gì để huỷ",
    # accounts and passwords
    "User {id} not found": "Không tìm thấy tài khoản {id}",
    "A {role} may not change a {other} account": "Vai trò {role} không được sửa tài khoản {other}",
    "A {role} may not create a {other} account": "Vai trò {role} không được tạo tài khoản {other}",
    "A {role} works at one facility: give scope_facility_id only": (
        "Vai trò {role} làm việc tại một cơ sở: chỉ chọn cơ sở"
    ),
    "A parent account has no area: it sees the children linked to it": (
        "Tài khoản phụ huynh không có địa bàn: chỉ xem được các trẻ đã liên kết"
    ),
    "A {role} is responsible for an area: give scope_place_id only": (
        "Vai trò {role} phụ trách một địa bàn: chỉ chọn địa bàn"
    ),
    "A {role}'s area must be a {level}, not a {other}": (
        "Địa bàn của vai trò {role} phải là {level}, không phải {other}"
    ),
    "The user name {username} is taken": "Tên đăng nhập {username} đã có người dùng",
    "The password must have at least {n} characters": "Mật khẩu phải có ít nhất {n} ký tự",
    "The password must not contain the user name": "Mật khẩu không được chứa tên đăng nhập",
    "The password is too repetitive": "Mật khẩu lặp lại quá nhiều",
    "This password is too easy to guess.": "Mật khẩu này quá dễ đoán.",
    "It would be found quickly by guessing common passwords and patterns.": (
        "Có thể bị dò ra nhanh bằng các mật khẩu và kiểu đặt phổ biến."
    ),
    "Use a few uncommon words.": "Hãy dùng vài từ ít gặp.",
    # zxcvbn's feedback on a weak password (api/auth/passwords.py puts it after "This password is too easy
    # to guess."), one sentence each; tests/api/test_wording_coverage.py reads them from zxcvbn
    "Add another word or two.": "Hãy thêm một hai từ nữa.",
    "Uncommon words are better.": "Từ ít gặp thì tốt hơn.",
    "Capitalization doesn't help very much.": "Viết hoa không giúp được nhiều.",
    "Reversed words aren't much harder to guess.": "Từ viết ngược cũng không khó đoán hơn bao nhiêu.",
    "Predictable substitutions like '@' instead of 'a' don't help very much.": (
        "Thay ký tự dễ đoán như '@' thay cho 'a' không giúp được nhiều."
    ),
    "Use a few words, avoid common phrases.": "Hãy dùng vài từ, tránh các cụm từ phổ biến.",
    "No need for symbols, digits, or uppercase letters.": "Không cần ký hiệu, chữ số hay chữ hoa.",
    "Straight rows of keys are easy to guess.": "Các phím liền hàng trên bàn phím rất dễ đoán.",
    "Short keyboard patterns are easy to guess.": "Các kiểu gõ phím ngắn rất dễ đoán.",
    "This is a top-10 common password.": "Đây là một trong 10 mật khẩu phổ biến nhất.",
    "This is a top-100 common password.": "Đây là một trong 100 mật khẩu phổ biến nhất.",
    "This is a very common password.": "Đây là mật khẩu rất phổ biến.",
    "This is similar to a commonly used password.": "Mật khẩu này giống một mật khẩu hay được dùng.",
    "A word by itself is easy to guess.": "Một từ đứng riêng rất dễ đoán.",
    "All-uppercase is almost as easy to guess as all-lowercase.": "Viết hoa toàn bộ cũng dễ đoán gần như viết thường.",
    "Use a longer keyboard pattern with more turns.": "Hãy dùng kiểu gõ phím dài hơn, đổi hướng nhiều hơn.",
    'Repeats like "aaa" are easy to guess.': 'Lặp lại như "aaa" rất dễ đoán.',
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': (
        'Lặp lại như "abcabcabc" chỉ khó đoán hơn "abc" một chút.'
    ),
    "Names and surnames by themselves are easy to guess.": "Tên và họ đứng riêng rất dễ đoán.",
    "Common names and surnames are easy to guess.": "Tên và họ phổ biến rất dễ đoán.",
    "Avoid repeated words and characters.": "Tránh lặp lại từ và ký tự.",
    'Sequences like "abc" or "6543" are easy to guess.': 'Dãy liên tiếp như "abc" hay "6543" rất dễ đoán.',
    "Avoid sequences.": "Tránh các dãy liên tiếp.",
    "Recent years are easy to guess.": "Các năm gần đây rất dễ đoán.",
    "Dates are often easy to guess.": "Ngày tháng thường dễ đoán.",
    "Avoid recent years.": "Tránh các năm gần đây.",
    "Avoid years that are associated with you.": "Tránh các năm gắn với bạn.",
    "Avoid dates and years that are associated with you.": "Tránh ngày tháng và năm gắn với bạn.",
    "Wrong code ({n} tries left)": "Sai mã (còn {n} lần thử)",
    "Wrong code ({n} try left)": "Sai mã (còn {n} lần thử)",
    "Wrong code, and no tries are left: ask for a new one": "Sai mã và đã hết lượt thử: hãy xin mã mới",
    # places and facilities (an officer's map of the country)
    "Your own area is changed by the level above it": "Địa bàn của bạn do tuyến trên thay đổi",
    "Only a national officer can revoke the creation of the country": (
        "Chỉ cán bộ trung ương mới huỷ được việc tạo quốc gia"
    ),
    "Change {id} of place {place} not found": "Không tìm thấy thay đổi {id} của địa bàn {place}",
    "Change {id} ({summary}, effective {day}) builds on this one: revoke it first": (
        "Thay đổi {id} ({summary}, hiệu lực {day}) dựa trên thay đổi này: hãy huỷ thay đổi đó trước"
    ),
    "Change {id} ({summary}) was already revoked": "Thay đổi {id} ({summary}) đã được huỷ",
    "Change {id} ({summary}) took effect on {day} and can no longer be revoked: make a new dated change instead": (
        "Thay đổi {id} ({summary}) đã có hiệu lực từ {day} nên không huỷ được nữa: hãy tạo một thay đổi mới có ngày"
    ),
    "Place {id} is already referred to by {what} rows: revoke the changes made to it first, or reassign what "
    "refers to it": (
        "Địa bàn {id} đã được dùng trong dữ liệu {what}: hãy huỷ các thay đổi của nó trước, hoặc chuyển dữ liệu đó "
        "sang nơi khác"
    ),
    "{field}: {day} is outside the allowed window: an effective date lies between {earliest} (when the country's "
    "record begins) and {latest} (one year from today)": (
        "{field}: ngày {day} nằm ngoài khoảng cho phép: ngày hiệu lực phải từ {earliest} (khi dữ liệu quốc gia "
        "bắt đầu) đến {latest} (một năm kể từ hôm nay)"
    ),
    "{name} ({code}) ended on {day}; it can no longer change": (
        "{name} ({code}) đã kết thúc ngày {day}; không thay đổi được nữa"
    ),
    "The effective date must be on or after {day}, when {name}'s current version began": (
        "Ngày hiệu lực phải từ {day} trở đi, khi phiên bản hiện tại của {name} bắt đầu"
    ),
    "{name} has a change still to come on {day}, and changes of a unit follow one another in time: date this one "
    "on or after it, or first revoke the scheduled change (GET /api/places/{id}/changes)": (
        "{name} có một thay đổi sắp tới vào ngày {day}, và các thay đổi của một đơn vị phải theo thứ tự thời gian: "
        "hãy đặt ngày từ ngày đó trở đi, hoặc huỷ thay đổi đã lên lịch trước (GET /api/places/{id}/changes)"
    ),
    "Parent place {id} does not exist on {day}": "Địa bàn cấp trên {id} không tồn tại vào ngày {day}",
    "A place with code {code} already exists": "Đã có địa bàn mang mã {code}",
    "Only the country has no parent: give parent_id": "Chỉ quốc gia không có cấp trên: hãy chọn địa bàn cấp trên",
    "A unit cannot be moved under itself or one of its own units": (
        "Không thể chuyển một đơn vị vào chính nó hoặc vào đơn vị trực thuộc nó"
    ),
    "{name} is already in that unit": "{name} đã thuộc đơn vị đó",
    "{name} cannot pass to one of its own units": "{name} không thể chuyển giao cho đơn vị trực thuộc nó",
    "The unit merged into cannot also be one of the merged units": (
        "Đơn vị nhận sáp nhập không thể đồng thời là đơn vị bị sáp nhập"
    ),
    "Name at least one unit to merge": "Hãy chọn ít nhất một đơn vị để sáp nhập",
    "The country cannot be abolished": "Không thể giải thể quốc gia",
    "{name} ({code}) already has a version from {day}: earlier history goes before the versions the map has": (
        "{name} ({code}) đã có phiên bản từ ngày {day}: lịch sử trước đó phải có ngày trước các phiên bản đã có"
    ),
    "{name} cannot lie inside one of its own units": "{name} không thể nằm trong đơn vị trực thuộc nó",
    "A facility serves the EPI programme, service vaccination, or both": (
        "Cơ sở phải phục vụ tiêm chủng mở rộng, tiêm dịch vụ, hoặc cả hai"
    ),
    "A facility with code {code} already exists": "Đã có cơ sở mang mã {code}",
    # the place file an officer imports (api/places/importer.py): where, then what
    "line {line}": "dòng {line}",
    "line {line}, code {code}": "dòng {line}, mã {code}",
    "line {line}, column {column}": "dòng {line}, cột {column}",
    "line {line}, code {code}, column {column}": "dòng {line}, mã {code}, cột {column}",
    "{where}: the file lacks the column(s) {columns}; expected {required} and optionally {optional} "
    "(see docs/operations.md)": (
        "{where}: tệp thiếu cột {columns}; cần {required} và có thể có {optional} (xem docs/operations.md)"
    ),
    "{where}: unknown column(s) {columns}; expected {required} and optionally {optional} (see docs/operations.md)": (
        "{where}: cột không hợp lệ {columns}; cần {required} và có thể có {optional} (xem docs/operations.md)"
    ),
    "{where}: not readable as CSV ({detail})": "{where}: không đọc được dạng CSV ({detail})",
    "{where}: appears twice on {day} (also on line {line})": (
        "{where}: xuất hiện hai lần vào ngày {day} (cả ở dòng {line})"
    ),
    "{where}: more fields than the header has columns": "{where}: nhiều trường hơn số cột của dòng tiêu đề",
    "{where}: every line needs the unit's code": "{where}: mỗi dòng cần mã của đơn vị",
    "{where}: {code} is not an official code (1 to 16 letters, digits, . _ -)": (
        "{where}: {code} không phải mã chính thức (1 đến 16 chữ cái, chữ số, . _ -)"
    ),
    "{where}: holds U+{point} ({name}), which no name or code may hold": (
        "{where}: chứa ký tự U+{point} ({name}), tên hay mã không được có ký tự này"
    ),
    "{where}: unknown event {event}: one of {events}, or empty": (
        "{where}: sự kiện {event} không hợp lệ: chọn một trong {events}, hoặc để trống"
    ),
    "{where}: {text} is not a date like 2025-07-01": "{where}: {text} không phải ngày dạng 2025-07-01",
    "{where}: a merged_into line names the unit it is merged into": (
        "{where}: dòng merged_into cần mã đơn vị nhận sáp nhập"
    ),
    "{where}: a unit cannot pass to itself": "{where}: một đơn vị không thể chuyển giao cho chính nó",
    "{where}: only merged_into and abolished lines name a successor": (
        "{where}: chỉ dòng merged_into và abolished mới có đơn vị kế thừa"
    ),
    "{where}: a line that creates, renames or moves a unit gives its {column}": (
        "{where}: dòng tạo, đổi tên hoặc chuyển đơn vị cần có {column}"
    ),
    "{where}: longer than {n} characters": "{where}: dài quá {n} ký tự",
    "{where}: unknown level {level}": "{where}: cấp {level} không hợp lệ",
    "{where}: unknown level {level} (known: {levels})": "{where}: cấp {level} không hợp lệ (các cấp: {levels})",
    "{where}: a unit cannot be its own parent": "{where}: một đơn vị không thể là cấp trên của chính nó",
    "{where}: created on {day}, but the unit exists from {since}": (
        "{where}: tạo ngày {day}, nhưng đơn vị đã có từ ngày {since}"
    ),
    "{where}: the map has {code} from {since}; it cannot end on {day}": (
        "{where}: bản đồ có {code} từ ngày {since}; không thể kết thúc vào ngày {day}"
    ),
    "{where}: {column} {code} is not a known unit on {day}": (
        "{where}: {column} {code} không phải đơn vị có vào ngày {day}"
    ),
    "{where}: {column} {code} is not a known unit on {day} (line {line} has it from {since})": (
        "{where}: {column} {code} không phải đơn vị có vào ngày {day} (dòng {line} có đơn vị này từ ngày {since})"
    ),
    "{where}: {column} {code} is not a known unit on {day} (the map has it from {since})": (
        "{where}: {column} {code} không phải đơn vị có vào ngày {day} (bản đồ có đơn vị này từ ngày {since})"
    ),
    "{where}: {column} {code} is not a known unit on {day} (the map has it from {since} to {until})": (
        "{where}: {column} {code} không phải đơn vị có vào ngày {day} (bản đồ có đơn vị này từ ngày {since} "
        "đến ngày {until})"
    ),
    "{where}: {code} is a {level}, not a {expected}": "{where}: {code} là {level}, không phải {expected}",
    "{where}: only the country has no parent: give the parent's code": (
        "{where}: chỉ quốc gia không có cấp trên: hãy nhập mã đơn vị cấp trên"
    ),
    "{where}: parent_code {parent} lies inside {code} on {day}": (
        "{where}: parent_code {parent} nằm trong {code} vào ngày {day}"
    ),
    "{where}: {code} ended on {day}{heir}; it cannot change": (
        "{where}: {code} đã kết thúc ngày {day}{heir}; không thay đổi được"
    ),
    "{where}: the map has {code} as {name} from {since}: a change on {day} would fall inside its recorded history "
    "(a unit's changes are loaded in date order)": (
        "{where}: bản đồ có {code} là {name} từ ngày {since}: thay đổi ngày {day} sẽ rơi vào lịch sử đã ghi "
        "(các thay đổi của một đơn vị được nạp theo thứ tự ngày)"
    ),
    "{where}: the map has {code} as {name} from {since} to {until}: a change on {day} would fall inside its "
    "recorded history (a unit's changes are loaded in date order)": (
        "{where}: bản đồ có {code} là {name} từ ngày {since} đến ngày {until}: thay đổi ngày {day} sẽ rơi vào "
        "lịch sử đã ghi (các thay đổi của một đơn vị được nạp theo thứ tự ngày)"
    ),
    "{where}: {code} is not a known unit (no earlier line creates it)": (
        "{where}: {code} không phải đơn vị đã có (không dòng nào trước đó tạo đơn vị này)"
    ),
    "{where}: {code} already ended on {day}{heir}": "{where}: {code} đã kết thúc ngày {day}{heir}",
    "{where}: {code}'s current version begins on {since}; it cannot end on {day}": (
        "{where}: phiên bản hiện tại của {code} bắt đầu ngày {since}; không thể kết thúc vào ngày {day}"
    ),
    "{where}: successor_code {successor} is one of {code}'s own units": (
        "{where}: successor_code {successor} là đơn vị trực thuộc {code}"
    ),
    "{where}: the parents make a cycle on {day}: {cycle}": (
        "{where}: các cấp trên tạo thành vòng lặp vào ngày {day}: {cycle}"
    ),
    # stock: the product's link to the schedule's vaccine (stockleft)
    "Only a vaccine names a vaccine code: leave it empty": "Chỉ vắc xin mới có mã vắc xin: hãy để trống",
    "The schedule has no vaccine with code {code}": "Lịch tiêm chủng không có vắc xin mã {code}",
    # AEFI reports (api/records/aefi), and doses: required_key names the write
    "Send an Idempotency-Key (a UUID made once per {what}) so a retry never records it twice": (
        "Thiếu mã chống ghi trùng (Idempotency-Key, một UUID cho mỗi {what}): hãy tải lại ứng dụng rồi gửi lại"
    ),
    "Name the dose (or doses) the event followed": "Hãy chọn mũi tiêm (một hoặc nhiều) trước khi xảy ra phản ứng",
    "The doses of one report are one person's: report each person apart": (
        "Các mũi tiêm của một báo cáo phải của cùng một người: hãy báo cáo riêng từng người"
    ),
    "Dose {id} was voided: report against the dose given": (
        "Mũi tiêm {id} đã bị hủy: hãy báo cáo cho mũi tiêm đã thực hiện"
    ),
    "Pick at least one symptom": "Hãy chọn ít nhất một triệu chứng",
    "Unknown symptom code {code}: pick one of the list": "Không có mã triệu chứng {code}: hãy chọn trong danh sách",
    "Describe the other symptom in words": "Hãy mô tả triệu chứng khác bằng lời",
    "The onset is in the future: give the date and time the symptoms began": (
        "Thời điểm khởi phát ở tương lai: hãy nhập ngày giờ triệu chứng bắt đầu"
    ),
    "The onset is before the dose of {date}: an AEFI follows the dose": (
        "Thời điểm khởi phát trước mũi tiêm ngày {date}: phản ứng sau tiêm xảy ra sau mũi tiêm"
    ),
    "Unknown seriousness {value}": "Không có mức độ nghiêm trọng {value}",
    "Unknown outcome {value}": "Không có kết quả {value}",
    "AEFI report {id} not found": "Không tìm thấy báo cáo phản ứng sau tiêm {id}",
}

# Words the code puts into a message (a state, a sex as the ID number gives it), worded too.
WORDS: dict[str, str] = {
    "approved": "đã duyệt",
    "declined": "đã từ chối",
    "cancelled": "đã rút",
    "dismissed": "không phải cùng một người",
    "merged": "đã gộp",
    "male": "nam",
    "female": "nữ",
    "dose": "mũi tiêm",
    "report": "báo cáo",
}
