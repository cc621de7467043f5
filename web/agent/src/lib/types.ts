// Rocket.Chat's documents as the REST API and the DDP streams carry them (only the fields
// the workspace reads). Dates are ISO strings: REST sends them so, and the DDP client turns
// EJSON `{$date}` into the same.

export interface UserRef {
  _id: string;
  username: string;
  name?: string;
}

export interface Me {
  _id: string;
  username: string;
  name?: string;
  emails?: { address: string; verified?: boolean }[];
  roles: string[];
  status?: string;
  statusLivechat?: 'available' | 'not-available' | null;
}

export interface RoomVisitor {
  _id: string;
  username: string;
  token: string;
  status?: string;
  lastMessageTs?: string;
}

export interface Room {
  _id: string;
  t: 'l';
  fname: string;
  ts: string;
  lm?: string;
  msgs: number;
  open?: boolean;
  v: RoomVisitor;
  departmentId?: string;
  servedBy?: { _id: string; username: string; ts: string };
  lastMessage?: Message;
  waitingResponse?: boolean;
  responseBy?: { _id: string; username: string; firstResponseTs?: string; lastMessageTs?: string };
  metrics?: {
    response?: { ft?: number; avg?: number; total?: number; tt?: number; fd?: number };
    reaction?: { ft?: number; fd?: number };
    serviceTimeDuration?: number;
    chatDuration?: number;
    v?: { lq?: string };
  };
  queuedAt?: string;
  closedAt?: string;
  closer?: string;
  closedBy?: { _id: string; username: string };
  tags?: string[];
  topic?: string;
  livechatData?: Record<string, unknown>;
  transcriptRequest?: { email: string; subject: string; requestedAt: string };
  _updatedAt?: string;
}

export interface FileInfo {
  _id: string;
  name: string;
  type: string;
  size?: number;
}

export interface Attachment {
  title?: string;
  title_link?: string;
  title_link_download?: boolean;
  type?: string;
  description?: string;
  image_url?: string;
  image_type?: string;
  image_dimensions?: { width: number; height: number };
  audio_url?: string;
  video_url?: string;
  text?: string;
}

export interface Message {
  _id: string;
  rid: string;
  msg: string;
  t?: string;
  ts: string;
  u: UserRef;
  token?: string;
  alias?: string;
  md?: MdBlock[];
  editedAt?: string;
  editedBy?: UserRef;
  hidden?: boolean;
  file?: FileInfo;
  files?: FileInfo[];
  attachments?: Attachment[];
  transferData?: {
    comment?: string;
    scope?: string;
    transferredBy?: UserRef & { userType?: string };
    transferredTo?: UserRef;
    nextDepartment?: { _id: string; name?: string };
  };
  navigation?: { page?: { title?: string; location?: { href?: string } } };
  _updatedAt?: string;
}

export interface Subscription {
  _id: string;
  rid: string;
  t: string;
  name: string;
  fname?: string;
  open: boolean;
  alert: boolean;
  unread: number;
  ls?: string;
  u: UserRef;
  v?: RoomVisitor;
  department?: string;
}

export interface Inquiry {
  _id: string;
  rid: string;
  name: string;
  ts: string;
  queuedAt?: string;
  message: string;
  /** `queued`, `taken`, `ready`, `open`. */
  status: string;
  department?: string;
  v: RoomVisitor;
  t: string;
  lastMessage?: Message;
}

export interface Department {
  _id: string;
  name: string;
  enabled: boolean;
  departmentsAllowedToForward?: string[];
  requestTagBeforeClosingChat?: boolean;
  chatClosingTags?: string[];
}

export interface AgentDepartment {
  _id: string;
  agentId: string;
  departmentId: string;
  departmentName?: string;
  departmentEnabled?: boolean;
}

export interface Visitor {
  _id: string;
  token: string;
  name?: string;
  username: string;
  visitorEmails?: { address: string }[];
  phone?: { phoneNumber: string }[];
  department?: string;
  livechatData?: Record<string, unknown>;
  status?: string;
  lastChat?: { _id: string; ts: string };
  ts?: string;
}

export interface CannedResponse {
  _id: string;
  shortcut: string;
  text: string;
  /** `global`, `department` or `user`. */
  scope: string;
  departmentId?: string;
  userId?: string;
  tags?: string[];
}

export interface LivechatTag {
  _id: string;
  name: string;
  description?: string;
  departments?: string[];
}

export interface Agent {
  _id: string;
  username: string;
  name?: string;
  status?: string;
  statusLivechat?: string;
}

// The message parser's AST (`@rocket.chat/message-parser`).
export type MdBlock =
  | { type: 'PARAGRAPH'; value: MdInline[] }
  | { type: 'HEADING'; level: number; value: MdInline[] }
  | { type: 'CODE'; language?: string; value: { type: 'CODE_LINE'; value: MdPlain }[] }
  | { type: 'QUOTE'; value: MdBlock[] }
  | { type: 'UNORDERED_LIST'; value: { type: 'LIST_ITEM'; value: MdInline[] }[] }
  | { type: 'ORDERED_LIST'; value: { type: 'LIST_ITEM'; value: MdInline[]; number?: number }[] }
  | { type: 'TASKS'; value: { type: 'TASK'; status: boolean; value: MdInline[] }[] }
  | { type: 'BIG_EMOJI'; value: MdEmoji[] }
  | { type: 'LINE_BREAK'; value?: unknown }
  | { type: 'KATEX'; value: string }
  | { type: string; value?: unknown };

export interface MdPlain {
  type: 'PLAIN_TEXT';
  value: string;
}

export interface MdEmoji {
  type: 'EMOJI';
  value?: MdPlain;
  unicode?: string;
  shortCode?: string;
}

export type MdInline =
  | MdPlain
  | { type: 'BOLD' | 'ITALIC' | 'STRIKE'; value: MdInline[] }
  | { type: 'INLINE_CODE'; value: MdPlain }
  | { type: 'LINK'; value: { src: MdPlain; label: MdInline[] | MdInline } }
  | { type: 'MENTION_USER' | 'MENTION_CHANNEL'; value: MdPlain }
  | MdEmoji
  | { type: 'COLOR'; value: unknown }
  | { type: 'IMAGE'; value: { src: MdPlain; label: MdInline } }
  | { type: 'TIMESTAMP'; value: { timestamp: string; format: string } }
  | { type: 'INLINE_KATEX'; value: string }
  | { type: string; value?: unknown };
