"""The API's messages in Vietnamese, by their English template (api/wording/services.py).

Keys are the messages as the code raises them, with ``{name}`` where the code puts a
value; each translation carries the same placeholders (tests/api/test_wording.py checks).
A new message that people read (a field error, a refusal) adds its line here."""

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
    "The range ends ({until}) before it starts ({since})": "Khoảng ngày kết thúc ({until}) trước khi bắt đầu ({since})",
    "Dose {id} not found": "Không tìm thấy mũi tiêm {id}",
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
}
