//! The catalogue of Rocket.Chat's error answers, and the one place that renders them.
//!
//! Every error a client can see is a variant here, named after what went wrong, rendering
//! the exact text upstream sends. How upstream *threw* decides the envelope:
//! - `throw new Error('x')` → 400 `{"success":false,"error":"x"}`;
//! - `throw new Meteor.Error(code, reason?, details?)` → 400 with `errorType` (and `details`);
//! - `API.v1.failure(obj)`, `API.v1.forbidden()`, `API.v1.notFound(msg)`;
//! - a Meteor `check()` failure ([`Check`]) and an ajv failure ([`Ajv`]);
//! - DDP method and subscription errors ([`Ddp`]).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use std::borrow::Cow;

pub type Result<T, E = Error> = std::result::Result<T, E>;

pub const NOT_LOGGED_IN: &str = "You must be logged in to do this.";
pub const NO_PERMISSION: &str =
    "User does not have the permissions required for this action [error-unauthorized]";

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum Error {
    /// An answer of the catalogue.
    #[error("{}", .0.message())]
    Code(Code),
    /// A Meteor `check()` failure.
    #[error("Match error: {0}")]
    Match(Check),
    /// ajv `validateParams` failures (all of them, as ajv runs with `allErrors`).
    #[error("{} [invalid-params]", ajv_text(.0))]
    InvalidParams(Vec<Ajv>),
    /// Missing or invalid `X-User-Id`/`X-Auth-Token` → 401.
    #[error("{NOT_LOGGED_IN}")]
    Unauthorized,
    /// Missing permission → 403.
    #[error("{NO_PERMISSION}")]
    NoPermission,
    /// The rate limiter → 429, with the seconds to wait.
    #[error(
        "Error, too many requests. Please slow down. You must wait {0} seconds before trying this endpoint again. [error-too-many-requests]"
    )]
    TooManyRequests(i64),
    /// Something that is our fault; logged, never shown in detail.
    #[error("internal error: {0}")]
    Internal(String),
}

/// The errors clients see, each as upstream sends it (see `shape`).
#[derive(Clone, Debug, PartialEq)]
pub enum Code {
    // Visitors and their rooms (`livechat/*` visitor routes).
    /// The token names no visitor.
    InvalidToken,
    /// `Meteor.Error('invalid-token')` (visitor lookups by token).
    InvalidTokenMeteor,
    /// `Error('error-invalid-token')` (transcript requests).
    ErrorInvalidToken,
    /// `livechat/visitor` with a blank token.
    EmptyToken,
    /// `livechat/visitor` with custom fields but without every required one (their ids).
    MissingRequiredCustomFields(String),
    InvalidRoom,
    RoomClosed,
    /// `chat.update`/`chat.delete`: no message with that id.
    NoMessageWithId(String),
    /// `chat.update`/`chat.delete`: the message is in another room.
    MessageRoomMismatch,
    /// `chat.update` refused (upstream's `canEditMessage`).
    MessageEditingNotAllowed,
    /// `chat.delete` refused (upstream's `canDeleteMessage`).
    MessageDeletingNotAllowed,
    /// `chat.delete` with `asUser` on another's message, without `force-delete-message`.
    ForceDeleteNotAllowed,
    /// A close that lost the race with a concurrent close (upstream's transaction).
    RoomCannotBeClosedTryAgain,
    InvalidMessage,
    /// A visitor edits or deletes a message it may not.
    ActionNotAllowed,
    /// `Livechat_message_character_limit` exceeded.
    MessageTooLong,
    /// A visitor message with a known `_id`: upstream's send returns nothing and the REST
    /// layer then fails merging into it.
    DuplicateVisitorMessage,
    TokenParamNotProvided,
    InvalidVisitor,
    InvalidEnd,
    InvalidData,
    VisitorRegistration,
    VisitorHasOpenRooms,
    /// `registerGuest` with a malformed e-mail.
    InvalidGuestEmail(String),
    NotAllowedToCloseConversation,
    /// `livechat/visitors.info` with an id no enabled visitor has.
    VisitorNotFound,

    // Rooms and routing.
    OmnichannelDisabled,
    RoutingMethodNotAvailable,
    NoAgentOnline,
    AgentNotFound,
    InvalidAgent,
    /// `Error('error-invalid-room')` (agent-side room routes).
    ErrorInvalidRoom,
    /// `Meteor.Error('error-invalid-room', 'Invalid room')`.
    InvalidRoomMeteor,
    RoomNotFound,
    /// `channels.info`: no room with that id or name.
    ChannelNotFound,
    /// `channels.info` without `roomId` (names are not looked up for omnichannel rooms).
    ChannelParamMissing,
    /// `rooms.info` on a room that does not exist or that the user may not open.
    RoomsInfoNotAllowed,
    /// `rooms.get` with an `updatedSince` that is not a date.
    /// `subscriptions.get` with an `updatedSince` that is no date.
    SubscriptionsUpdatedSinceInvalid,
    InvalidUpdatedSince,
    RoomAlreadyClosed,
    ConversationAlreadyClosed,
    NotAuthorized,
    /// `Error('error-not-allowed')`.
    NotAllowed,
    /// `Meteor.Error('error-not-allowed', 'Not allowed')`.
    NotAllowedMeteor,
    /// Ours (stricter than upstream): an agent acting on a chat it neither serves nor may
    /// take → 403 with upstream's `error-not-allowed` text.
    ChatNotAllowed,
    CommentIsRequired,
    TagsMustBeAssignedBeforeClosingChat,
    UserIsOffline,
    SelectedAgentRoomAgentAreSame,
    InvalidDepartment,
    /// `Meteor.Error('error-invalid-department', 'The provided department is invalid')`.
    InvalidDepartmentMeteor,
    ForwardingChatSameDepartment,
    UserNotBelongToDepartment,
    NoAgentsOnlineInDepartment,
    ForwardingChat,
    MaxChatsReached,

    // The queue (`livechat:takeInquiry`).
    InquiryNotFound,
    InquiryTaken,
    AgentStatusServiceOffline,

    // Messages.
    DuplicateMessageId,
    MessageParamMissing,
    /// Longer than `Message_MaxAllowedSize`.
    MessageSizeExceeded,

    // Departments.
    DepartmentNotFound,
    /// `Meteor.Error('error-department-not-found', 'Department not found')`.
    DepartmentNotFoundMeteor,
    /// The same, thrown by `livechat:saveDepartment`.
    SaveDepartmentNotFound,
    DepartmentRemovalDisabled,
    ClosingTagsRequired,
    FallbackDepartmentCircular,
    FallbackDepartmentNotFound,

    // Users and agents.
    /// `Meteor.Error('error-invalid-user', 'Invalid user')`.
    InvalidUser,
    /// `Meteor.Error('error-invalid-user')`, no reason.
    InvalidUserBare,
    /// `deleteUser` of an unknown user.
    InvalidUserToDelete,
    InvalidUsername,
    /// `insertOrUpdateUser` with a malformed e-mail.
    InvalidUserEmail(String),
    /// `insertOrUpdateUser`: the e-mail or username is taken.
    FieldUnavailable(String),
    InvalidPassword,
    InvalidRole,
    InvalidStatus,
    UserDeactivated,
    /// Deactivating the only admin.
    LastAdmin,
    // Business hours.
    /// An agent may not become available while its business hours are closed (REST).
    BusinessHoursClosed,
    /// The same refusal from `livechat:changeLivechatStatus`.
    BusinessHoursClosedMethod,
    /// `livechat:saveBusinessHour`: an open day closing before it opens.
    BusinessHourFinishBeforeStart,
    /// `livechat:saveBusinessHour`: an open day closing when it opens.
    BusinessHourFinishEqualsStart,
    /// `livechat:saveBusinessHour`: a day or time that is not `Monday`… and `HH:mm` (ours:
    /// upstream stores "Invalid date").
    BusinessHourInvalidTime,
    /// `livechat:saveBusinessHour`: an unknown timezone (ours: upstream falls back to UTC).
    BusinessHourInvalidTimezone,
    /// `livechat:saveBusinessHour` for a type other than the default one (upstream's
    /// Community Edition has no other type registered and fails).
    BusinessHourTypeNotAllowed,
    /// `livechat/users/:type/:_id` of nobody.
    UserNotFound,
    /// `users.info` of nobody.
    UsersInfoNotFound,
    UserIsInvalid,
    UserParamNotProvided,
    /// `API.v1.notFound('Agent not found')`.
    AgentNotFound404,
    InvalidUserType,

    // Logins (`POST /api/v1/login`, 401 in upstream's pre-8.0 form).
    LoginUnauthorized,
    IncorrectPassword,
    UserNotActivated,
    LoggedOut,
    /// `Block_Multiple_Failed_Logins_By_Ip`: too many failures from this address.
    LoginBlockedForIp,
    /// `Block_Multiple_Failed_Logins_By_User`: too many failures for this user.
    LoginBlockedForUser,

    // Permissions (`permissions.*`).
    /// No `access-permissions`.
    EditPermissionsNotAllowed,
    /// `permissions.update` body not of upstream's shape.
    InvalidBodyParams,
    /// `permissions.update` names a permission that does not exist.
    InvalidPermission,
    /// `permissions.update` names a role that does not exist.
    PermissionInvalidRole,
    /// `permissions.listAll` with an `updatedSince` that is not a date.
    UpdatedSinceInvalid,

    // Settings.
    InvalidSettingValue,
    /// `livechat/appearance` names a setting that is not one of the appearance's.
    InvalidSetting,
    /// `API.v1.failure()` with no argument (unknown setting, survey field, …).
    Failed,

    // Custom fields.
    InvalidCustomField,
    SettingCustomField,
    CustomFieldNotFound,
    /// `livechat/custom-fields/:_id` of nothing.
    CustomFieldNotFoundCapitalised,
    CustomFieldExists,
    InvalidRegex(String),
    InvalidFieldValue(String),

    // E-mail, transcripts, webhooks.
    /// `Meteor.Error('invalid email')` of the mailer.
    MailInvalidEmail,
    /// `POST mailer`: the sender's address is not an address.
    MailerInvalidFrom,
    /// `POST mailer`: the body has no `[unsubscribe]` link.
    MailerMissingUnsubscribe,
    /// `POST mailer` dry run: no user has the sender's address.
    MailerInvalidUser,
    /// `POST mailer` with a user filter: upstream's Mongo query has no equivalent here (ours).
    MailerQueryUnsupported,
    /// `Meteor.Error('error-invalid-email', 'Invalid email {e}')`.
    InvalidEmail(String),
    /// `Error('error-invalid-email')`.
    ErrorInvalidEmail,
    InvalidEmailAddress,
    OfflineFormDisabled,
    OfflineMessageError,
    TranscriptNotRequested,
    TranscriptAlreadyRequested,
    WebhookUrlNotSet,
    InvalidWebhookResponse,
    /// `sendSMTPTestEmail` without a user.
    SmtpTestInvalidUser,
    /// `sendSMTPTestEmail` by a user with no e-mail address.
    SmtpTestInvalidEmail,
    /// `sendSMTPTestEmail`: the SMTP server refused or could not be reached.
    SmtpTestFailed(String),

    // Uploads.
    FileUploadDisabled,
    NoFileUploaded,
    /// `rooms.media` without a file part.
    NoFileUploadedMeteor,
    /// An agent's upload (`rooms.media`) with `FileUpload_Enabled` off.
    AgentUploadsDisabled,
    /// An agent's upload over `FileUpload_MaxFileSize`.
    FileTooLarge {
        allowed: String,
    },
    /// An agent's upload of a refused media type.
    InvalidFileType,
    /// `rooms.mediaConfirm` of a file that is not the agent's unsent upload in that room.
    InvalidFile,
    /// `rooms.mediaConfirm` with a description over `Message_MaxAllowedSize`.
    DescriptionSizeExceeded,
    TypeNotAllowed,
    SizeNotAllowed {
        allowed: String,
    },
    ReadingUpload(String),

    // Lists and query strings.
    InvalidCount,
    InvalidOffset,
    InvalidSort,
    InvalidSortJson(String),
    QueryParamNotJson(String),
    /// `JSON.parse` of a query parameter threw (V8's SyntaxError text): the offending
    /// character and the input.
    JsonParse(char, String),
    /// `livechat/visitors.autocomplete` with a selector without a string `term`
    /// (upstream's `escapeRegExp(undefined)` throws).
    SelectorWithoutTerm,
    /// `createdAt.start` and the like: not a date `Date.parse` reads.
    QueryParamInvalidDate(String),
    /// `livechat/analytics/overview` and `agent-overview` without a chart name.
    InvalidChartName,

    // Legacy contacts (7.0's `omnichannel/contact*` on visitors) and `livechat/room.visitor`.
    /// `contact.search` with neither e-mail, phone nor a custom field.
    ContactSearchInvalidParams,
    /// `contact.search` whose `custom` is not JSON.
    ContactSearchInvalidCustom,
    /// `contact.search` whose `custom` is `null` (or absent, without e-mail or phone):
    /// upstream's `Object.keys` throws.
    ContactSearchNullCustom,
    /// The contact manager's username names no user.
    ContactManagerNotFound(String),
    /// The contact manager is not a `livechat-agent`.
    InvalidContactManager,
    /// `room.visitor`: the room's visitor is not `oldVisitorId`.
    InvalidRoomVisitor,

    // Omnichannel contacts (7.0's `omnichannel/contacts*`).
    /// `Error('error-contact-not-found')`.
    ContactNotFound,
    /// `Error('error-contact-manager-not-found')`: the contact manager's id names no agent.
    ContactManagerIdNotFound,
    /// `validateCustomFields`: a key that is no visitor custom field.
    CustomFieldNotAllowed(String),

    // Requests.
    /// `API.v1.forbidden()`.
    Forbidden,
    RequestEntityTooLarge,
    InvalidBody(String),
    ReadingBody(String),
    ApiEndpointNotFound,

    // DDP methods (also reached through `method.call`): `Meteor.Error`s naming the method.
    /// `Meteor.Error('error-not-allowed', 'Not allowed', {method})`.
    MethodNotAllowed(&'static str),
    // Canned responses, tags and units (upstream EE).
    /// `saveCannedResponse` without the right to `global` or `department` scope.
    CannedScopeNotAllowed(&'static str),
    CannedShortcutExists,
    CannedInvalidDepartment,
    /// `error-canned-response-not-found` thrown by the named method.
    CannedResponseNotFound(&'static str),
    /// `livechat:removeTag` of an unknown tag.
    TagNotFound,
    /// `livechat/tags.remove` of an unknown tag: `API.v1.failure(reason)`.
    TagNotFoundFailure,
    /// `API.v1.notFound()`: 404 `Resource not found`.
    ResourceNotFound,
    /// `livechat:saveUnit` / `livechat:removeUnit` of an unknown unit.
    UnitNotFound(&'static str),
    /// `Meteor.Error('error-not-allowed')` (`canSendMessage`: a room the user may not access).
    NotAllowedBare,
    /// `Meteor.Error('error-invalid-user', 'Invalid user', {method})`: no one is logged in.
    MethodInvalidUser(&'static str),
    /// `Meteor.Error('error-user-is-not-agent', 'User is not a livechat agent', {method})`.
    MethodUserIsNotAgent(&'static str),
    /// `livechat:registerGuest` without a token.
    MethodInvalidToken,
    /// `livechat:loadHistory`: the token names no visitor.
    MethodInvalidVisitor,
    /// `livechat:loadHistory`: no room of this visitor with that id.
    MethodInvalidRoomOfVisitor,
    /// `livechat:changeLivechatStatus`: the id names no agent.
    MethodInvalidAgentId,
    /// `livechat:changeLivechatStatus`: neither `available` nor `not-available`.
    MethodInvalidStatus,
    /// `livechat:saveCustomField`: `field` outside `[0-9a-zA-Z-_]`.
    InvalidCustomFieldName,
    /// `livechat:saveCustomField` with an unknown `_id`.
    MethodCustomFieldNotFoundCapitalised,
    /// `livechat:removeCustomField` with an unknown id.
    MethodCustomFieldNotFound,
    /// `livechat:saveCustomField`: a field with this name exists.
    CustomFieldNameExists,
    /// `Meteor.Error('error-invalid-room', 'Invalid room', {method})`.
    MethodInvalidRoom(&'static str),
    /// `livechat:returnAsInquiry` on a closed room.
    MethodRoomClosed,
    /// `POST method.call`: the EJSON message is no method call.
    InvalidMethodCall,
    /// `POST method.call`: `EJSON.parse` threw (JavaScript's message).
    MethodCallJson(String),
}

/// How upstream throws an error, which decides the envelope.
enum Shape {
    /// `throw new Error(msg)`.
    Plain(Cow<'static, str>),
    /// `throw new Meteor.Error(code, reason?, details?)`.
    Meteor {
        code: &'static str,
        reason: Option<Cow<'static, str>>,
        details: Option<Value>,
    },
    /// `{"success":false,"error":msg}` with another status (`forbidden`, `notFound`, …).
    Status(StatusCode, &'static str),
    /// `API.v1.failure(obj)`.
    Failure(Map<String, Value>),
    /// `API.v1.failure(msg, errorType)`: the message as is, beside its type.
    Typed {
        error: &'static str,
        error_type: &'static str,
    },
    /// A failed `POST /api/v1/login` (`details` of the Meteor error, when it had some).
    Login {
        error: &'static str,
        message: &'static str,
        details: Option<Value>,
    },
    /// The router's answer for an unknown `/api/…` path.
    NoRoute,
}

fn plain(s: &'static str) -> Shape {
    Shape::Plain(Cow::Borrowed(s))
}

fn meteor(code: &'static str, reason: &'static str) -> Shape {
    Shape::Meteor {
        code,
        reason: Some(Cow::Borrowed(reason)),
        details: None,
    }
}

fn meteor_bare(code: &'static str) -> Shape {
    Shape::Meteor {
        code,
        reason: None,
        details: None,
    }
}

fn with_details(s: Shape, d: Value) -> Shape {
    match s {
        Shape::Meteor { code, reason, .. } => Shape::Meteor {
            code,
            reason,
            details: Some(d),
        },
        other => other,
    }
}

fn in_method(s: Shape, method: &'static str) -> Shape {
    with_details(s, json!({ "method": method }))
}

fn failure(pairs: &[(&str, Value)]) -> Shape {
    Shape::Failure(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}

const TAKE_INQUIRY: fn() -> Value = || json!({"method": "livechat:takeInquiry"});
const VALIDATE_LOGIN: fn() -> Value = || json!({"function": "Accounts.validateLoginAttempt"});
const UPSERT_USER: fn() -> Value = || json!({"method": "insertOrUpdateUser"});

impl Code {
    fn shape(&self) -> Shape {
        use Code::*;
        match self {
            InvalidToken => plain("invalid-token"),
            InvalidTokenMeteor => meteor_bare("invalid-token"),
            ErrorInvalidToken => plain("error-invalid-token"),
            MissingRequiredCustomFields(ids) => {
                Shape::Plain(format!("Missing required custom fields: {ids}").into())
            }
            EmptyToken => with_details(
                meteor("error-invalid-token", "Token cannot be empty"),
                json!({"method": "livechat/visitor"}),
            ),
            InvalidRoom => plain("invalid-room"),
            RoomClosed => plain("room-closed"),
            NoMessageWithId(id) => Shape::Plain(Cow::Owned(format!(
                "No message found with the id of \"{id}\"."
            ))),
            MessageRoomMismatch => {
                plain("The room id provided does not match where the message is from.")
            }
            MessageEditingNotAllowed => with_details(
                meteor("error-action-not-allowed", "Message editing not allowed"),
                json!({"method": "updateMessage", "action": "Message_editing"}),
            ),
            MessageDeletingNotAllowed => with_details(
                meteor("error-action-not-allowed", "Not allowed"),
                json!({"method": "deleteMessage", "action": "Delete_message"}),
            ),
            ForceDeleteNotAllowed => plain(
                "Unauthorized. You must have the permission \"force-delete-message\" to delete other's message as them.",
            ),
            RoomCannotBeClosedTryAgain => plain("error-room-cannot-be-closed-try-again"),
            InvalidMessage => plain("invalid-message"),
            ActionNotAllowed => plain("error-action-not-allowed"),
            MessageTooLong => plain("message-length-exceeds-character-limit"),
            DuplicateVisitorMessage => plain("Cannot convert undefined or null to object"),
            TokenParamNotProvided => plain("error-token-param-not-provided"),
            InvalidVisitor => plain("error-invalid-visitor"),
            InvalidEnd => plain("error-invalid-end"),
            InvalidData => plain("invalid-data"),
            VisitorRegistration => meteor(
                "error-livechat-visitor-registration",
                "Error registering visitor",
            ),
            VisitorHasOpenRooms => meteor(
                "visitor-has-open-rooms",
                "Cannot remove visitors with opened rooms",
            ),
            InvalidGuestEmail(e) => Shape::Meteor {
                code: "error-invalid-email",
                reason: Some(format!("Invalid email {e}").into()),
                details: Some(json!({"function": "registerGuest"})),
            },
            NotAllowedToCloseConversation => plain("error-not-allowed-to-close-conversation"),
            VisitorNotFound => plain("visitor-not-found"),

            OmnichannelDisabled => meteor_bare("error-omnichannel-is-disabled"),
            RoutingMethodNotAvailable => meteor_bare("error-routing-method-not-available"),
            NoAgentOnline => meteor("no-agent-online", "Sorry, no online agents"),
            AgentNotFound => plain("agent-not-found"),
            InvalidAgent => plain("invalid-agent"),
            ErrorInvalidRoom => plain("error-invalid-room"),
            InvalidRoomMeteor => meteor("error-invalid-room", "Invalid room"),
            RoomNotFound => plain("error-room-not-found"),
            ChannelParamMissing => meteor(
                "error-room-param-not-provided",
                "The parameter \"roomId\" or \"roomName\" is required",
            ),
            RoomsInfoNotAllowed => failure(&[
                ("error", json!("not-allowed")),
                ("errorType", json!("Not Allowed")),
            ]),
            SubscriptionsUpdatedSinceInvalid => meteor(
                "error-roomId-param-invalid",
                "The \"lastUpdate\" query parameter must be a valid date.",
            ),
            InvalidUpdatedSince => meteor(
                "error-updatedSince-param-invalid",
                "The \"updatedSince\" query parameter must be a valid date.",
            ),
            ChannelNotFound => meteor(
                "error-room-not-found",
                "The required \"roomId\" or \"roomName\" param provided does not match any channel",
            ),
            RoomAlreadyClosed => plain("error-room-already-closed"),
            ConversationAlreadyClosed => plain("This_conversation_is_already_closed"),
            NotAuthorized => plain("error-not-authorized"),
            NotAllowed => plain("error-not-allowed"),
            NotAllowedMeteor => meteor("error-not-allowed", "Not allowed"),
            ChatNotAllowed => Shape::Status(StatusCode::FORBIDDEN, "error-not-allowed"),
            CommentIsRequired => plain("error-comment-is-required"),
            TagsMustBeAssignedBeforeClosingChat => {
                plain("error-tags-must-be-assigned-before-closing-chat")
            }
            UserIsOffline => plain("error-user-is-offline"),
            SelectedAgentRoomAgentAreSame => plain("error-selected-agent-room-agent-are-same"),
            InvalidDepartment => plain("error-invalid-department"),
            InvalidDepartmentMeteor => meteor(
                "error-invalid-department",
                "The provided department is invalid",
            ),
            ForwardingChatSameDepartment => plain("error-forwarding-chat-same-department"),
            UserNotBelongToDepartment => plain("error-user-not-belong-to-department"),
            NoAgentsOnlineInDepartment => plain("error-no-agents-online-in-department"),
            ForwardingChat => plain("error-forwarding-chat"),
            MaxChatsReached => meteor("error-max-number-simultaneous-chats-reached", "Not allowed"),

            InquiryNotFound => with_details(
                meteor("error-not-found", "Inquiry not found"),
                TAKE_INQUIRY(),
            ),
            InquiryTaken => with_details(
                meteor("error-inquiry-taken", "Inquiry already taken"),
                TAKE_INQUIRY(),
            ),
            AgentStatusServiceOffline => with_details(
                meteor(
                    "error-agent-status-service-offline",
                    "Agent status is offline or Omnichannel service is not active",
                ),
                TAKE_INQUIRY(),
            ),

            DuplicateMessageId => meteor("error-duplicate-id", "Message already exists"),
            MessageSizeExceeded => with_details(
                meteor(
                    "error-message-size-exceeded",
                    "Message size exceeds Message_MaxAllowedSize",
                ),
                json!({"method": "sendMessage"}),
            ),
            MessageParamMissing => meteor(
                "error-invalid-params",
                "The 'message' parameter must be provided.",
            ),

            DepartmentNotFound => plain("error-department-not-found"),
            DepartmentNotFoundMeteor => {
                meteor("error-department-not-found", "Department not found")
            }
            SaveDepartmentNotFound => with_details(
                meteor("error-department-not-found", "Department not found"),
                json!({"method": "livechat:saveDepartment"}),
            ),
            DepartmentRemovalDisabled => plain("error-department-removal-disabled"),
            ClosingTagsRequired => with_details(
                meteor(
                    "error-validating-department-chat-closing-tags",
                    "At least one closing tag is required when the department requires tag(s) on closing conversations.",
                ),
                json!({"method": "livechat:saveDepartment"}),
            ),
            FallbackDepartmentCircular => meteor(
                "error-fallback-department-circular",
                "Cannot save department. Circular reference between fallback department and department",
            ),
            FallbackDepartmentNotFound => with_details(
                meteor(
                    "error-fallback-department-not-found",
                    "Fallback department not found",
                ),
                json!({"method": "livechat:saveDepartment"}),
            ),

            InvalidUser => meteor("error-invalid-user", "Invalid user"),
            InvalidUserBare => meteor_bare("error-invalid-user"),
            InvalidUserToDelete => with_details(
                meteor("error-invalid-user", "Invalid user"),
                json!({"method": "deleteUser"}),
            ),
            InvalidUsername => with_details(
                meteor("error-invalid-username", "Invalid username"),
                UPSERT_USER(),
            ),
            InvalidUserEmail(e) => Shape::Meteor {
                code: "error-invalid-email",
                reason: Some(format!("Invalid email {e}").into()),
                details: Some(UPSERT_USER()),
            },
            FieldUnavailable(v) => Shape::Meteor {
                code: "error-field-unavailable",
                reason: Some(format!("{v} is already in use :(").into()),
                details: Some(json!({"method": "insertOrUpdateUser", "field": v})),
            },
            InvalidPassword => meteor("error-invalid-password", "Invalid password"),
            InvalidRole => meteor("error-invalid-role", "Invalid role"),
            InvalidStatus => with_details(
                meteor(
                    "error-invalid-status",
                    "Valid status types include online, away, offline, and busy.",
                ),
                json!({"method": "users.setStatus"}),
            ),
            UserDeactivated => plain("error-user-deactivated"),
            LastAdmin => with_details(
                meteor(
                    "error-action-not-allowed",
                    "Leaving the app without an active admin is not allowed",
                ),
                json!({"method": "removeUserFromRole", "action": "Remove_last_admin"}),
            ),
            BusinessHoursClosed => plain("error-business-hours-are-closed"),
            BusinessHoursClosedMethod => in_method(
                meteor("error-business-hours-are-closed", "Not allowed"),
                "livechat:changeLivechatStatus",
            ),
            // The method rethrows `new Meteor.Error(e.message)`: a code and no reason.
            BusinessHourFinishBeforeStart => {
                meteor_bare("error-business-hour-finish-time-before-start-time")
            }
            BusinessHourFinishEqualsStart => {
                meteor_bare("error-business-hour-finish-time-equals-start-time")
            }
            BusinessHourInvalidTime => meteor_bare("error-business-hour-invalid-time"),
            BusinessHourInvalidTimezone => meteor_bare("error-invalid-timezone"),
            BusinessHourTypeNotAllowed => meteor_bare("error-business-hour-type-not-allowed"),
            UserNotFound => plain("User not found"),
            UsersInfoNotFound => plain("User not found."),
            UserIsInvalid => plain("The user is invalid"),
            UserParamNotProvided => plain(
                "The required \"userId\" or \"username\" param was not provided [error-user-param-not-provided]",
            ),
            AgentNotFound404 => Shape::Status(StatusCode::NOT_FOUND, "Agent not found"),
            InvalidUserType => plain("Invalid type"),

            LoginUnauthorized => Shape::Login {
                error: "Unauthorized",
                message: "Unauthorized",
                details: None,
            },
            IncorrectPassword => Shape::Login {
                error: "403",
                message: "Incorrect password",
                details: None,
            },
            UserNotActivated => Shape::Login {
                error: "error-user-is-not-activated",
                message: "User is not activated",
                details: None,
            },
            LoggedOut => Shape::Login {
                error: "403",
                message: "You've been logged out by the server. Please log in again.",
                details: None,
            },
            LoginBlockedForIp => Shape::Login {
                error: "error-login-blocked-for-ip",
                message: "Login has been temporarily blocked For IP",
                details: Some(VALIDATE_LOGIN()),
            },
            LoginBlockedForUser => Shape::Login {
                error: "error-login-blocked-for-user",
                message: "Login has been temporarily blocked For User",
                details: Some(VALIDATE_LOGIN()),
            },

            EditPermissionsNotAllowed => Shape::Typed {
                error: "Editing permissions is not allowed",
                error_type: "error-edit-permissions-not-allowed",
            },
            InvalidBodyParams => Shape::Typed {
                error: "Invalid body params",
                error_type: "error-invalid-body-params",
            },
            InvalidPermission => Shape::Typed {
                error: "Invalid permission",
                error_type: "error-invalid-permission",
            },
            PermissionInvalidRole => Shape::Typed {
                error: "Invalid role",
                error_type: "error-invalid-role",
            },
            UpdatedSinceInvalid => meteor(
                "error-roomId-param-invalid",
                "The \"updatedSince\" query parameter must be a valid date.",
            ),

            InvalidSettingValue => meteor("error-invalid-setting-value", "Invalid setting value"),
            InvalidSetting => plain("invalid-setting"),
            Failed => Shape::Failure(Map::new()),

            InvalidCustomField => plain("invalid-custom-field"),
            SettingCustomField => plain("error-setting-custom-field"),
            CustomFieldNotFound => plain("Custom field not found"),
            CustomFieldNotFoundCapitalised => plain("Custom Field Not found"),
            CustomFieldExists => plain("Custom Field already exists"),
            InvalidRegex(re) => Shape::Plain(format!("Invalid regular expression: /{re}/").into()),
            InvalidFieldValue(k) => Shape::Plain(format!("Invalid value for {k} field").into()),

            MailInvalidEmail => meteor_bare("invalid email"),
            MailerInvalidFrom => with_details(
                meteor("error-invalid-from-address", "Invalid from address"),
                json!({"function": "Mailer.sendMail"}),
            ),
            MailerMissingUnsubscribe => with_details(
                meteor(
                    "error-missing-unsubscribe-link",
                    "You must provide the [unsubscribe] link.",
                ),
                json!({"function": "Mailer.sendMail"}),
            ),
            MailerInvalidUser => with_details(
                meteor("error-invalid-user", "Invalid user"),
                json!({"function": "Mailer.sendMail"}),
            ),
            MailerQueryUnsupported => meteor(
                "error-invalid-query",
                "Only an empty query is supported: the mailing goes to every subscribed user",
            ),
            InvalidEmail(e) => Shape::Meteor {
                code: "error-invalid-email",
                reason: Some(format!("Invalid email {e}").into()),
                details: None,
            },
            ErrorInvalidEmail => plain("error-invalid-email"),
            InvalidEmailAddress => meteor_bare("error-invalid-email-address"),
            OfflineFormDisabled => plain("error-offline-form-disabled"),
            OfflineMessageError => plain("Error sending Omnichannel offline message"),
            TranscriptNotRequested => plain("error-transcript-not-requested"),
            TranscriptAlreadyRequested => meteor(
                "error-transcript-already-requested",
                "Transcript already requested",
            ),
            WebhookUrlNotSet => plain("Webhook_URL_not_set"),
            InvalidWebhookResponse => plain("error-invalid-webhook-response"),
            SmtpTestInvalidUser => in_method(
                meteor("error-invalid-user", "Invalid user"),
                "sendSMTPTestEmail",
            ),
            SmtpTestInvalidEmail => in_method(
                meteor("error-invalid-email", "Invalid email"),
                "sendSMTPTestEmail",
            ),
            SmtpTestFailed(m) => Shape::Meteor {
                code: "error-email-send-failed",
                reason: Some(format!("Error trying to send email: {m}").into()),
                details: Some(json!({"method": "sendSMTPTestEmail", "message": m})),
            },

            FileUploadDisabled => failure(&[("reason", json!("error-file-upload-disabled"))]),
            NoFileUploaded => failure(&[("reason", json!("error-no-file-uploaded"))]),
            NoFileUploadedMeteor => meteor("error-no-file-uploaded", "No file was uploaded"),
            // Upstream's `FileUpload.validateFileUpload`, with the English texts.
            AgentUploadsDisabled => {
                meteor("error-file-upload-disabled", "File uploads are disabled.")
            }
            FileTooLarge { allowed } => Shape::Meteor {
                code: "error-file-too-large",
                reason: Some(Cow::Owned(format!(
                    "File size exceeds upload limit of {allowed}."
                ))),
                details: None,
            },
            InvalidFileType => meteor("error-invalid-file-type", "File type is not accepted."),
            InvalidFile => meteor_bare("invalid-file"),
            DescriptionSizeExceeded => meteor_bare("error-message-size-exceeded"),
            TypeNotAllowed => failure(&[("reason", json!("error-type-not-allowed"))]),
            SizeNotAllowed { allowed } => failure(&[
                ("reason", json!("error-size-not-allowed")),
                ("sizeAllowed", json!(allowed)),
            ]),
            ReadingUpload(e) => Shape::Plain(format!("error-reading-upload: {e}").into()),

            InvalidCount => plain("Invalid count"),
            InvalidOffset => plain("Invalid offset"),
            InvalidSort => plain("Invalid sort parameter provided [error-invalid-sort]"),
            InvalidSortJson(s) => Shape::Plain(
                format!("Invalid sort parameter provided: \"{s}\" [error-invalid-sort]").into(),
            ),
            QueryParamNotJson(k) => {
                Shape::Plain(format!("The \"{k}\" query parameter must be a valid JSON.").into())
            }
            JsonParse(c, input) => Shape::Plain(
                format!("Unexpected token '{c}', \"{input}\" is not valid JSON").into(),
            ),
            SelectorWithoutTerm => plain("Cannot read properties of undefined (reading 'replace')"),
            QueryParamInvalidDate(k) => {
                Shape::Plain(format!("The \"{k}\" query parameter must be a valid date.").into())
            }
            InvalidChartName => plain("invalid-chart-name"),

            Forbidden => Shape::Status(StatusCode::FORBIDDEN, "unauthorized"),
            RequestEntityTooLarge => Shape::Status(
                StatusCode::PAYLOAD_TOO_LARGE,
                "error-request-entity-too-large",
            ),
            InvalidBody(e) => Shape::Plain(format!("error-invalid-body: {e}").into()),
            ContactSearchInvalidParams => meteor_bare("error-invalid-params"),
            ContactSearchInvalidCustom => meteor_bare("error-invalid-params-custom"),
            ContactSearchNullCustom => plain("Cannot convert undefined or null to object"),
            ContactManagerNotFound(u) => Shape::Meteor {
                code: "error-contact-manager-not-found",
                reason: Some(format!("No user found with username {u}").into()),
                details: None,
            },
            InvalidContactManager => meteor(
                "error-invalid-contact-manager",
                "The contact manager must have the role \"livechat-agent\"",
            ),
            InvalidRoomVisitor => plain("invalid-room-visitor"),
            ContactNotFound => plain("error-contact-not-found"),
            ContactManagerIdNotFound => plain("error-contact-manager-not-found"),
            CustomFieldNotAllowed(k) => {
                Shape::Plain(format!("Custom field {k} is not allowed").into())
            }
            ReadingBody(e) => Shape::Plain(format!("error-reading-body: {e}").into()),
            ApiEndpointNotFound => Shape::NoRoute,
            MethodNotAllowed(m) => in_method(meteor("error-not-allowed", "Not allowed"), m),
            CannedScopeNotAllowed(scope) => in_method(
                Shape::Meteor {
                    code: "error-not-allowed",
                    reason: Some(
                        format!("Not allowed to modify canned responses on *{scope}* scope").into(),
                    ),
                    details: None,
                },
                "saveCannedResponse",
            ),
            CannedShortcutExists => in_method(
                meteor("error-invalid-shortcut", "Shortcut provided already exists"),
                "saveCannedResponse",
            ),
            CannedInvalidDepartment => in_method(
                meteor("error-invalid-department", "Invalid department"),
                "saveCannedResponse",
            ),
            CannedResponseNotFound(m) => in_method(
                meteor(
                    "error-canned-response-not-found",
                    "Canned Response not found",
                ),
                m,
            ),
            ResourceNotFound => Shape::Status(StatusCode::NOT_FOUND, "Resource not found"),
            TagNotFoundFailure => plain("Tag not found"),
            TagNotFound => in_method(
                meteor("tag-not-found", "Tag not found"),
                "livechat:removeTag",
            ),
            UnitNotFound(m) => in_method(meteor("error-unit-not-found", "Unit not found"), m),
            NotAllowedBare => meteor_bare("error-not-allowed"),
            MethodInvalidUser(m) => in_method(meteor("error-invalid-user", "Invalid user"), m),
            MethodUserIsNotAgent(m) => in_method(
                meteor("error-user-is-not-agent", "User is not a livechat agent"),
                m,
            ),
            MethodInvalidToken => in_method(
                meteor("error-invalid-token", "Invalid token"),
                "livechat:registerGuest",
            ),
            MethodInvalidVisitor => in_method(
                meteor("invalid-visitor", "Invalid Visitor"),
                "livechat:loadHistory",
            ),
            MethodInvalidRoomOfVisitor => in_method(
                meteor("invalid-room", "Invalid Room"),
                "livechat:loadHistory",
            ),
            MethodInvalidAgentId => in_method(
                meteor("error-not-allowed", "Invalid Agent Id"),
                "livechat:changeLivechatStatus",
            ),
            MethodInvalidStatus => in_method(
                meteor("error-not-allowed", "Invalid Status"),
                "livechat:changeLivechatStatus",
            ),
            InvalidCustomFieldName => in_method(
                meteor(
                    "error-invalid-custom-field-name",
                    "Invalid custom field name. Use only letters, numbers, hyphens and underscores.",
                ),
                "livechat:saveCustomField",
            ),
            MethodCustomFieldNotFoundCapitalised => in_method(
                meteor("error-invalid-custom-field", "Custom Field Not found"),
                "livechat:saveCustomField",
            ),
            MethodCustomFieldNotFound => in_method(
                meteor("error-invalid-custom-field", "Custom field not found"),
                "livechat:removeCustomField",
            ),
            CustomFieldNameExists => in_method(
                meteor(
                    "error-custom-field-name-already-exists",
                    "Custom field name already exists",
                ),
                "livechat:saveCustomField",
            ),
            MethodInvalidRoom(m) => in_method(meteor("error-invalid-room", "Invalid room"), m),
            MethodRoomClosed => in_method(
                meteor("room-closed", "Room closed"),
                "livechat:returnAsInquiry",
            ),
            InvalidMethodCall => plain("Invalid method call"),
            MethodCallJson(e) => Shape::Plain(e.clone().into()),
        }
    }

    /// The text clients read in `error` (Meteor errors: `reason [code]`).
    pub fn message(&self) -> String {
        match self.shape() {
            Shape::Plain(m) => m.into_owned(),
            Shape::Meteor { code, reason, .. } => match reason {
                Some(r) => format!("{r} [{code}]"),
                None => format!("[{code}]"),
            },
            Shape::Status(_, m) => m.to_string(),
            Shape::Typed { error, .. } => error.to_string(),
            Shape::Failure(m) => m
                .get("reason")
                .and_then(Value::as_str)
                .unwrap_or("failure")
                .to_string(),
            Shape::Login { message, .. } => message.to_string(),
            Shape::NoRoute => "API endpoint not found".to_string(),
        }
    }

    fn status(&self) -> StatusCode {
        match self.shape() {
            Shape::Status(s, _) => s,
            Shape::Login { .. } => StatusCode::UNAUTHORIZED,
            Shape::NoRoute => StatusCode::NOT_FOUND,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    fn body(&self) -> Value {
        match self.shape() {
            Shape::Plain(m) => json!({"success": false, "error": m}),
            Shape::Status(_, m) => json!({"success": false, "error": m}),
            Shape::Meteor { code, details, .. } => {
                let mut b = json!({"success": false, "error": self.message(), "errorType": code});
                if let Some(d) = details {
                    b["details"] = d;
                }
                b
            }
            Shape::Failure(mut m) => {
                m.insert("success".into(), Value::Bool(false));
                Value::Object(m)
            }
            Shape::Typed { error, error_type } => {
                json!({"success": false, "error": error, "errorType": error_type})
            }
            Shape::Login {
                error,
                message,
                details: None,
            } => json!({
                "status": "error", "error": error, "message": message, "success": false
            }),
            Shape::Login {
                error,
                message,
                details: Some(d),
            } => json!({
                "status": "error", "error": error, "details": d, "message": message,
                "success": false
            }),
            Shape::NoRoute => json!({
                "status": "error", "message": "API endpoint not found", "success": false
            }),
        }
    }
}

impl From<Code> for Error {
    fn from(c: Code) -> Self {
        Error::Code(c)
    }
}

/// Meteor `check()` failures, as `Match error: …` texts.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum Check {
    /// `Expected string, got number in field msg` (no field for a top-level value).
    #[error("Expected {expected}, got {got}{}", in_field(.field))]
    Expected {
        expected: &'static str,
        got: &'static str,
        field: String,
    },
    /// `Unknown key 'x'` (`in field path` inside an object).
    #[error("Unknown key '{key}'{}", in_field(.path))]
    UnknownKey { key: String, path: String },
    /// `Missing key 'x'` (`in field path` inside an object).
    #[error("Missing key '{key}'{}", in_field(.path))]
    MissingKey { key: String, path: String },
}

impl Check {
    /// `Expected {expected}, got {typeof value} in field {field}`.
    pub fn expected(expected: &'static str, value: &Value, field: impl Into<String>) -> Error {
        Error::Match(Check::Expected {
            expected,
            got: check_type(value),
            field: field.into(),
        })
    }
    /// `Missing key '{key}'` (inside `path` when not empty).
    pub fn missing(key: impl Into<String>, path: impl Into<String>) -> Error {
        Error::Match(Check::MissingKey {
            key: key.into(),
            path: path.into(),
        })
    }
    /// `Unknown key '{key}'` (inside `path` when not empty).
    pub fn unknown(key: impl Into<String>, path: impl Into<String>) -> Error {
        Error::Match(Check::UnknownKey {
            key: key.into(),
            path: path.into(),
        })
    }
}

/// How `check()` names a value's type: `typeof`, with `null` as such (arrays are objects).
pub fn check_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) | Value::Object(_) => "object",
    }
}

fn in_field(path: &str) -> String {
    if path.is_empty() {
        String::new()
    } else {
        format!(" in field {path}")
    }
}

/// ajv's messages (`validateParams`).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum Ajv {
    #[error("must have required property '{0}'")]
    Required(String),
    #[error("must NOT have additional properties")]
    AdditionalProperties,
    /// `must be string`, `must be object`, …
    #[error("must be {0}")]
    MustBe(&'static str),
    #[error("must be equal to one of the allowed values")]
    NotAllowedValue,
    #[error("must NOT have fewer than {min} item{}", if *min == 1 { "" } else { "s" })]
    FewerItems { min: usize },
    /// `uniqueItems`: item `i` repeats the later item `j` (ajv names `j` first).
    #[error("must NOT have duplicate items (items ## {j} and {i} are identical)")]
    Duplicate { i: usize, j: usize },
    #[error("must match exactly one schema in oneOf")]
    OneOf,
    /// `must match format "email"`, …
    #[error("must match format \"{0}\"")]
    Format(&'static str),
}

fn ajv_text(errs: &[Ajv]) -> String {
    errs.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n ")
}

/// DDP method and subscription errors, as Meteor's error object carries them.
#[derive(Clone, Debug, PartialEq)]
pub enum Ddp {
    NotAllowed,
    MatchFailed,
    LoggedOut,
    IncorrectPassword,
    NotLoggedIn,
    MethodNotFound(String),
    SubscriptionNotFound(String),
    /// A connection over its subscription cap (ours; upstream has none).
    TooManySubscriptions,
    /// `login` refused by the brute-force protection (the REST code it maps from).
    LoginBlocked(Code),
    /// Meteor's `DDPRateLimiter`: the milliseconds until the window resets.
    TooManyRequests(i64),
    /// A method failed with one of the catalogue's errors: its code and message.
    Failed {
        code: &'static str,
        reason: String,
    },
    /// A method threw `Meteor.Error(code, reason?, details?)` (from the catalogue).
    Meteor {
        code: &'static str,
        reason: Option<String>,
        details: Option<Value>,
    },
    /// A method's `check()` failed.
    Match(Check),
    /// A method threw something else (`new Error(…)`, a bug): not client-safe.
    Internal(String),
}

/// A method error converts as upstream threw it: Meteor errors keep code, reason and
/// details, `check()` failures stay Match errors, anything else is internal.
impl From<Error> for Ddp {
    fn from(e: Error) -> Self {
        match e {
            Error::Code(c) => match c.shape() {
                Shape::Meteor {
                    code,
                    reason,
                    details,
                } => Ddp::Meteor {
                    code,
                    reason: reason.map(Cow::into_owned),
                    details,
                },
                _ => Ddp::Internal(c.message()),
            },
            Error::Match(c) => Ddp::Match(c),
            other => Ddp::Internal(other.to_string()),
        }
    }
}

impl Ddp {
    /// `error` (a code, or an HTTP-like number) and `reason`.
    pub fn parts(&self) -> (Value, String) {
        match self {
            Ddp::NotAllowed => (json!("not-allowed"), "Not allowed".into()),
            Ddp::MatchFailed => (json!(400), "Match failed".into()),
            Ddp::LoggedOut => (
                json!(403),
                "You've been logged out by the server. Please log in again.".into(),
            ),
            Ddp::IncorrectPassword => (json!(403), "Incorrect password".into()),
            Ddp::NotLoggedIn => (json!(401), "Not logged in".into()),
            Ddp::MethodNotFound(m) => (json!(404), format!("Method '{m}' not found")),
            Ddp::SubscriptionNotFound(s) => (json!(404), format!("Subscription '{s}' not found")),
            Ddp::TooManySubscriptions => (
                json!("too-many-subscriptions"),
                "Too many subscriptions".into(),
            ),
            Ddp::LoginBlocked(c) => match c.shape() {
                Shape::Login { error, message, .. } => (json!(error), message.to_string()),
                _ => (json!(403), c.message()),
            },
            Ddp::TooManyRequests(ms) => (
                json!("too-many-requests"),
                format!(
                    "Error, too many requests. Please slow down. You must wait {} seconds before trying again.",
                    (ms + 999) / 1000
                ),
            ),
            Ddp::Failed { code, reason } => (json!(code), reason.clone()),
            Ddp::Meteor { code, reason, .. } => (json!(code), reason.clone().unwrap_or_default()),
            Ddp::Match(_) => (json!(400), "Match failed".into()),
            Ddp::Internal(_) => (json!(500), "Internal server error".into()),
        }
    }

    /// The error object as Meteor serialises it. Over DDP (`rest = false`) a non-Meteor error
    /// goes out sanitised (its `sanitizedError`, else 500); the REST bridge (`method.call`)
    /// EJSON-stringifies the thrown object itself: a Match.Error with its own fields, a plain
    /// `Error` as `{}` (its message is not enumerable).
    pub fn object(&self, rest: bool) -> Value {
        match self {
            Ddp::Match(c) if rest => json!({
                "message": format!("Match error: {c}"), "path": "",
                "sanitizedError": Ddp::MatchFailed.object(false), "errorType": "Match.Error"
            }),
            Ddp::Internal(_) if rest => json!({}),
            _ => {
                let (code, reason) = self.parts();
                let shown = code
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or(code.to_string());
                let bare = matches!(self, Ddp::Meteor { reason: None, .. });
                let mut v = json!({"isClientSafe": true, "error": code});
                if !bare {
                    v["reason"] = json!(reason);
                }
                if let Some(d) = self.details() {
                    v["details"] = d;
                }
                v["message"] = json!(if bare {
                    format!("[{shown}]")
                } else {
                    format!("{reason} [{shown}]")
                });
                v["errorType"] = json!("Meteor.Error");
                v
            }
        }
    }

    /// The Meteor error's `details`, when it has some.
    pub fn details(&self) -> Option<Value> {
        match self {
            Ddp::LoginBlocked(c) => match c.shape() {
                Shape::Login { details, .. } => details,
                _ => None,
            },
            Ddp::TooManyRequests(ms) => Some(json!({"timeToReset": ms})),
            Ddp::Meteor { details, .. } => details.clone(),
            _ => None,
        }
    }
}

impl Error {
    pub fn internal(e: impl std::fmt::Display) -> Self {
        Error::Internal(e.to_string())
    }

    /// This error as a DDP method error with `code`.
    pub fn to_ddp(&self, code: &'static str) -> Ddp {
        Ddp::Failed {
            code,
            reason: self.to_string(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Error::Code(c) => c.status(),
            Error::Unauthorized => StatusCode::UNAUTHORIZED,
            Error::NoPermission => StatusCode::FORBIDDEN,
            Error::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Error::Match(_) | Error::InvalidParams(_) => StatusCode::BAD_REQUEST,
        }
    }

    /// The JSON body, key order as upstream writes it.
    pub fn body(&self) -> Value {
        match self {
            Error::Code(c) => c.body(),
            Error::TooManyRequests(_) => json!({"success": false, "error": self.to_string()}),
            Error::Match(_) => json!({"success": false, "error": self.to_string()}),
            Error::InvalidParams(_) => {
                json!({"success": false, "error": self.to_string(), "errorType": "invalid-params"})
            }
            Error::Unauthorized => json!({
                "success": false, "error": NOT_LOGGED_IN, "status": "error", "message": NOT_LOGGED_IN
            }),
            Error::NoPermission => json!({"success": false, "error": NO_PERMISSION}),
            Error::Internal(_) => json!({"success": false, "error": "Internal server error"}),
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        if let Error::Internal(e) = &self {
            tracing::error!(error = %e, "internal error");
        }
        (self.status(), axum::Json(self.body())).into_response()
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Internal(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(e: impl Into<Error>) -> String {
        serde_json::to_string(&e.into().body()).unwrap()
    }

    #[test]
    fn envelopes() {
        assert_eq!(
            body(Code::InvalidToken),
            r#"{"success":false,"error":"invalid-token"}"#
        );
        assert_eq!(
            body(Code::NoAgentOnline),
            r#"{"success":false,"error":"Sorry, no online agents [no-agent-online]","errorType":"no-agent-online"}"#
        );
        assert_eq!(
            body(Code::InvalidTokenMeteor),
            r#"{"success":false,"error":"[invalid-token]","errorType":"invalid-token"}"#
        );
        assert_eq!(
            body(Code::InquiryTaken),
            r#"{"success":false,"error":"Inquiry already taken [error-inquiry-taken]","errorType":"error-inquiry-taken","details":{"method":"livechat:takeInquiry"}}"#
        );
        assert_eq!(
            body(Error::Match(Check::MissingKey {
                key: "token".into(),
                path: String::new()
            })),
            r#"{"success":false,"error":"Match error: Missing key 'token'"}"#
        );
        assert_eq!(
            Error::InvalidParams(vec![Ajv::MustBe("object"), Ajv::FewerItems { min: 1 }]).body()["error"],
            "must be object\n must NOT have fewer than 1 item [invalid-params]"
        );
        assert_eq!(
            body(Code::SizeNotAllowed {
                allowed: "1 MB".into()
            }),
            r#"{"reason":"error-size-not-allowed","sizeAllowed":"1 MB","success":false}"#
        );
        assert_eq!(Error::from(Code::Forbidden).status(), StatusCode::FORBIDDEN);
        assert_eq!(
            Error::from(Code::LoginUnauthorized).status(),
            StatusCode::UNAUTHORIZED
        );
    }
}
