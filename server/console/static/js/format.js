// Words and colours for the API's values, and times in the browser's time zone.

const two = (n) => String(n).padStart(2, "0");

/** "2026-12-03 14:05:09 UTC+01:00": local time with its offset. */
export function formatTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? "+" : "−";
  const abs = Math.abs(off);
  const date = `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
  const time = `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  return `${date} ${time} UTC${sign}${two(Math.floor(abs / 60))}:${two(abs % 60)}`;
}

/** The value of a datetime-local input for an instant, in local time. */
export function toLocalInput(date) {
  const d = new Date(date);
  return (
    `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}` +
    `T${two(d.getHours())}:${two(d.getMinutes())}`
  );
}

/** An ISO instant (UTC) for a datetime-local input's value; "" when empty or invalid. */
export function fromLocalInput(value) {
  if (!value) return "";
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? "" : d.toISOString();
}

export function browserTimeZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

export function midnightToday() {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  return d;
}

export const CHANNEL_TYPES = { DIRECT: "Direct", GROUP: "Group", OPEN: "Open", SYSTEM: "System" };

export const SOURCES = {
  ANDROID: "Android",
  IOS: "iOS",
  HARMONYOS: "HarmonyOS",
  WEB: "Web",
  DESKTOP: "Desktop",
  SERVER_API: "Server API",
};

export const PLATFORMS = {
  ANDROID: "Android",
  IOS: "iOS",
  HARMONYOS: "HarmonyOS",
  WEB: "Web",
  DESKTOP: "Desktop",
};

/** BuiltinMessageType → [label, ObjectName] (SPEC §4). */
export const BUILTIN_TYPES = {
  TEXT: ["Text", "NX:TxtMsg"],
  IMAGE: ["Image", "NX:ImgMsg"],
  GIF: ["GIF", "NX:GIFMsg"],
  VOICE: ["Voice", "NX:HQVCMsg"],
  FILE: ["File", "NX:FileMsg"],
  VIDEO: ["Video", "NX:SightMsg"],
  LOCATION: ["Location", "NX:LBSMsg"],
  COMBINED: ["Combined (forwarded)", "NX:CombineMsg"],
  REFERENCE: ["Reference (quote)", "NX:ReferenceMsg"],
  RICH_CONTENT: ["Rich content", "NX:ImgTextMsg"],
  RECALL: ["Recall", "NX:RcCmd"],
  COMMAND: ["Command", "NX:CmdMsg"],
  COMMAND_NOTIFICATION: ["Command notification", "NX:CmdNtf"],
  INFO_NOTIFICATION: ["Info notification", "NX:InfoNtf"],
  GROUP_NOTIFICATION: ["Group notification", "NX:GrpNtf"],
  CONTACT_NOTIFICATION: ["Contact notification", "NX:ContactNtf"],
  READ_RECEIPT: ["Read receipt", "NX:ReadNtf"],
  TYPING_STATUS: ["Typing status", "NX:TypSts"],
};

export const DISCONNECT_REASONS = {
  LOGOUT: "Logged out",
  NETWORK_ERROR: "Network error",
  KICKED_BY_OTHER_DEVICE: "Signed in on another device",
  TOKEN_EXPIRED: "Token expired",
  HEARTBEAT_TIMEOUT: "Heartbeat timeout",
  SERVER_CLOSED: "Closed by the server",
  UNKNOWN: "Unknown",
};

export const CONNECTION_STATUS = {
  ONLINE: ["Online", "ok"],
  CLOSED: ["Closed", "muted"],
  REJECTED: ["Rejected", "bad"],
};

export const SEND_RESULTS = {
  SENT: ["Sent", "ok"],
  SENT_PROFANITY_REPLACED: ["Sent, words replaced", "warn"],
  BLOCKED_BY_BLOCKLIST: ["Blocked: blocklist", "bad"],
  BLOCKED_BY_ALLOWLIST: ["Blocked: allowlist", "bad"],
  MUTED: ["Blocked: muted", "bad"],
  PROFANITY_BLOCKED: ["Blocked: moderation", "bad"],
};

export const RECEIPT_STATUS = {
  DELIVERED: ["Delivered", "ok"],
  NOT_DELIVERED: ["Not fetched", "warn"],
  OFFLINE: ["Offline", "info"],
  PENDING: ["Pending", "muted"],
};

export const PUSH_PROVIDERS = {
  APNS: "APNs",
  FCM: "FCM",
  HUAWEI: "Huawei",
  HONOR: "Honor",
  XIAOMI: "Xiaomi",
  OPPO: "OPPO",
  VIVO: "vivo",
};

export const PUSH_SKIPPED = {
  NO_PUSH_TOKEN: "No push: the device has no push token registered",
  PUSH_DISABLED: "No push: push is turned off for this app or user",
  DO_NOT_DISTURB: "No push: the recipient's do-not-disturb was on",
  NOT_PUSHABLE_TYPE: "No push: this message type is not pushed",
};

export const PUSH_ACTIONS = {
  RETRY_LATER: "Retry later",
  THROTTLED: "Throttled",
  REMOVE_TOKEN: "Remove the token",
  FIX_CONFIGURATION: "Fix the configuration",
  FIX_PAYLOAD: "Fix the payload",
  SUPPRESSED_ON_DEVICE: "Suppressed on the device",
  UNKNOWN: "Unknown code",
};

/** A verdict's words from its enum value: PARTIALLY_DELIVERED → "Partially delivered". */
export function verdictLabel(verdict) {
  const words = String(verdict || "").toLowerCase().replaceAll("_", " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const GOOD = new Set(["DELIVERED", "CONNECTED", "PUSH_SENT"]);
const BAD = new Set(["BLOCKED", "NOT_DELIVERED", "PUSH_FAILED", "CONNECTION_REJECTED", "NO_STATUS"]);
const WARN = new Set(["PARTIALLY_DELIVERED", "NOT_FETCHED", "PUSH_SKIPPED", "NO_PUSH_RECORD", "NOT_CONNECTED"]);

export function verdictTone(verdict) {
  if (GOOD.has(verdict)) return "ok";
  if (BAD.has(verdict)) return "bad";
  if (WARN.has(verdict)) return "warn";
  return "muted";
}

export function label(table, value) {
  if (value === null || value === undefined) return "";
  const entry = table[value];
  if (entry === undefined) return String(value);
  return Array.isArray(entry) ? entry[0] : entry;
}
