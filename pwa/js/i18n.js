// The app's text: Vietnamese by default, English as a choice (remembered per device).
const STRINGS = {
  vi: {
    "app.title": "Hệ thống tiêm chủng quốc gia",
    "lang.label": "Ngôn ngữ",
    "login.heading": "Đăng nhập",
    "login.username": "Tên đăng nhập",
    "login.password": "Mật khẩu",
    "login.submit": "Đăng nhập",
    "login.missing": "Vui lòng nhập tên đăng nhập và mật khẩu.",
    "login.wrong": "Sai tên đăng nhập hoặc mật khẩu.",
    "login.limited": "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {seconds} giây.",
    "login.failed": "Không đăng nhập được. Vui lòng thử lại.",
    "home.greeting": "Xin chào, {name}",
    "home.logout": "Đăng xuất",
    "net.offline": "Không có mạng: dữ liệu sẽ được gửi khi có mạng trở lại.",
    "role.national_admin": "Quản trị quốc gia",
    "role.province_officer": "Cán bộ tỉnh",
    "role.commune_officer": "Cán bộ xã",
    "role.vaccinator": "Nhân viên tiêm chủng",
    "role.stock_clerk": "Thủ kho vắc xin",
    "role.parent": "Phụ huynh",
  },
  en: {
    "app.title": "National immunization system",
    "lang.label": "Language",
    "login.heading": "Sign in",
    "login.username": "User name",
    "login.password": "Password",
    "login.submit": "Sign in",
    "login.missing": "Please enter your user name and password.",
    "login.wrong": "Wrong user name or password.",
    "login.limited": "Too many failed attempts. Please try again in {seconds} seconds.",
    "login.failed": "Could not sign in. Please try again.",
    "home.greeting": "Hello, {name}",
    "home.logout": "Sign out",
    "net.offline": "Offline: your data will be sent when the network is back.",
    "role.national_admin": "National administrator",
    "role.province_officer": "Province officer",
    "role.commune_officer": "Commune officer",
    "role.vaccinator": "Vaccinator",
    "role.stock_clerk": "Stock clerk",
    "role.parent": "Parent",
  },
};

const KEY = "niis.lang";
let current = localStorage.getItem(KEY) || "vi";

export function language() {
  return current;
}

export function setLanguage(lang) {
  current = STRINGS[lang] ? lang : "vi";
  localStorage.setItem(KEY, current);
  document.documentElement.lang = current;
  for (const node of document.querySelectorAll("[data-i18n]")) {
    node.textContent = t(node.dataset.i18n);
  }
}

export function t(key, values = {}) {
  const text = STRINGS[current][key] ?? STRINGS.vi[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}
