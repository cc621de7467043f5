//! The `Store` implementation every engine shares: each operation calls the engine's function
//! of the same name in its module of that subject (`rooms::room`, `messages::history`…), so
//! the engines hold only their SQL and the trait's signatures stand once.

/// `forward_store!(Engine)` in an engine's `ops` module, whose subject modules define the
/// functions.
macro_rules! forward_store {
    ($engine:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::Store for $engine {
            async fn insert_user(
                &self,
                user: &User,
                password_hash: Option<&str>,
            ) -> StoreResult<()> {
                users::insert_user(self, user, password_hash).await
            }
            async fn user(&self, id: &str) -> StoreResult<Option<User>> {
                users::user(self, id).await
            }
            async fn user_by_username(&self, username: &str) -> StoreResult<Option<User>> {
                users::user_by_username(self, username).await
            }
            async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
                users::user_by_email(self, email).await
            }
            async fn password_hash(&self, user_id: &str) -> StoreResult<Option<String>> {
                users::password_hash(self, user_id).await
            }
            async fn set_password_hash(&self, user_id: &str, hash: &str) -> StoreResult<()> {
                users::set_password_hash(self, user_id, hash).await
            }
            async fn modify_user(&self, id: &str, f: Modify<User>) -> StoreResult<Option<User>> {
                users::modify_user(self, id, f).await
            }
            async fn delete_user(&self, id: &str) -> StoreResult<bool> {
                users::delete_user(self, id).await
            }
            async fn count_users_with_role(&self, role: &str) -> StoreResult<i64> {
                users::count_users_with_role(self, role).await
            }
            async fn list_users(&self, q: &UserQuery) -> StoreResult<(Vec<User>, i64)> {
                users::list_users(self, q).await
            }
            async fn insert_login_token(
                &self,
                user_id: &str,
                hashed: &str,
                when: Ts,
            ) -> StoreResult<()> {
                users::insert_login_token(self, user_id, hashed, when).await
            }
            async fn user_by_login_token(
                &self,
                hashed: &str,
                issued_since: Ts,
            ) -> StoreResult<Option<User>> {
                users::user_by_login_token(self, hashed, issued_since).await
            }
            async fn delete_login_token(&self, hashed: &str) -> StoreResult<()> {
                users::delete_login_token(self, hashed).await
            }
            async fn delete_login_tokens_of_user(&self, user_id: &str) -> StoreResult<()> {
                users::delete_login_tokens_of_user(self, user_id).await
            }
            async fn settings(&self) -> StoreResult<Vec<(String, Value)>> {
                settings::settings(self).await
            }
            async fn put_setting(&self, id: &str, value: &Value) -> StoreResult<()> {
                settings::put_setting(self, id, value).await
            }
            async fn incr_setting(&self, id: &str, default: i64) -> StoreResult<i64> {
                settings::incr_setting(self, id, default).await
            }
            async fn permissions(&self) -> StoreResult<Vec<Permission>> {
                permissions::permissions(self).await
            }
            async fn seed_permissions(&self, defaults: &[Permission]) -> StoreResult<()> {
                permissions::seed_permissions(self, defaults).await
            }
            async fn set_permission_roles(
                &self,
                changes: &[(String, Vec<String>)],
                at: Ts,
            ) -> StoreResult<()> {
                permissions::set_permission_roles(self, changes, at).await
            }
            async fn roles(&self) -> StoreResult<Vec<Role>> {
                permissions::roles(self).await
            }
            async fn seed_roles(&self, defaults: &[Role]) -> StoreResult<()> {
                permissions::seed_roles(self, defaults).await
            }
            async fn visitor(&self, id: &str) -> StoreResult<Option<Visitor>> {
                visitors::visitor(self, id).await
            }
            async fn visitor_by_token(&self, token: &str) -> StoreResult<Option<Visitor>> {
                visitors::visitor_by_token(self, token).await
            }
            async fn visitor_by_phone(&self, phone: &str) -> StoreResult<Option<Visitor>> {
                visitors::visitor_by_phone(self, phone).await
            }
            async fn visitor_by_email(&self, email: &str) -> StoreResult<Option<Visitor>> {
                visitors::visitor_by_email(self, email).await
            }
            async fn insert_visitor(&self, v: &Visitor) -> StoreResult<()> {
                visitors::insert_visitor(self, v).await
            }
            async fn modify_visitor(
                &self,
                id: &str,
                f: Modify<Visitor>,
            ) -> StoreResult<Option<Visitor>> {
                visitors::modify_visitor(self, id, f).await
            }
            async fn count_visitors_active_in(&self, month: &str) -> StoreResult<i64> {
                visitors::count_visitors_active_in(self, month).await
            }
            async fn remove_visitor_data(
                &self,
                token: &str,
                anonymised: &Visitor,
            ) -> StoreResult<()> {
                visitors::remove_visitor_data(self, token, anonymised).await
            }
            async fn search_visitors(&self, q: &VisitorSearch) -> StoreResult<(Vec<Visitor>, i64)> {
                visitors::search_visitors(self, q).await
            }
            async fn visitor_by_contact(&self, q: &ContactLookup) -> StoreResult<Option<Visitor>> {
                visitors::visitor_by_contact(self, q).await
            }
            async fn visitors_by_name_prefix(
                &self,
                prefix: &str,
                exceptions: &[String],
                limit: i64,
            ) -> StoreResult<Vec<Visitor>> {
                visitors::visitors_by_name_prefix(self, prefix, exceptions, limit).await
            }
            async fn room(&self, id: &str) -> StoreResult<Option<Room>> {
                rooms::room(self, id).await
            }
            async fn open_room_by_token(&self, token: &str) -> StoreResult<Option<Room>> {
                rooms::open_room_by_token(self, token).await
            }
            async fn open_room_json(&self, token: &str) -> StoreResult<Option<String>> {
                rooms::open_room_json(self, token).await
            }
            async fn room_by_token(
                &self,
                token: &str,
                rid: Option<&str>,
            ) -> StoreResult<Option<Room>> {
                rooms::room_by_token(self, token, rid).await
            }
            async fn open_rooms_by_token(&self, token: &str) -> StoreResult<Vec<Room>> {
                rooms::open_rooms_by_token(self, token).await
            }
            async fn visitor_exists(&self, token: &str) -> StoreResult<bool> {
                rooms::visitor_exists(self, token).await
            }
            async fn room_of_token_exists(&self, token: &str, rid: &str) -> StoreResult<bool> {
                rooms::room_of_token_exists(self, token, rid).await
            }
            async fn modify_room(&self, id: &str, f: Modify<Room>) -> StoreResult<Option<Room>> {
                rooms::modify_room(self, id, f).await
            }
            async fn unit(&self, ask: Ask, rule: Rule) -> StoreResult<()> {
                units::unit(self, ask, rule).await
            }
            async fn agents(&self, ask: &AgentsAsk) -> StoreResult<Vec<Candidate>> {
                units::agents(self, ask).await
            }
            async fn inquiry(&self, id: &str) -> StoreResult<Option<Inquiry>> {
                inquiries::inquiry(self, id).await
            }
            async fn inquiry_by_room(&self, rid: &str) -> StoreResult<Option<Inquiry>> {
                inquiries::inquiry_by_room(self, rid).await
            }
            async fn modify_inquiry(
                &self,
                id: &str,
                f: Modify<Inquiry>,
            ) -> StoreResult<Option<Inquiry>> {
                inquiries::modify_inquiry(self, id, f).await
            }
            async fn list_inquiries(
                &self,
                status: Option<&str>,
                departments: Option<&[String]>,
                offset: i64,
                count: i64,
            ) -> StoreResult<(Vec<Inquiry>, i64)> {
                inquiries::list_inquiries(self, status, departments, offset, count).await
            }
            async fn append_message(
                &self,
                msg: Message,
                room_update: Modify<Room>,
                unread_at: Option<Ts>,
            ) -> StoreResult<Option<(Room, Vec<Subscription>)>> {
                messages::append_message(self, msg, room_update, unread_at).await
            }
            async fn message(&self, id: &str) -> StoreResult<Option<Message>> {
                messages::message(self, id).await
            }
            async fn modify_message(
                &self,
                id: &str,
                f: Modify<Message>,
            ) -> StoreResult<Option<Message>> {
                messages::modify_message(self, id, f).await
            }
            async fn delete_message(
                &self,
                id: &str,
                room_update: AfterDelete,
            ) -> StoreResult<bool> {
                messages::delete_message(self, id, room_update).await
            }
            async fn history(
                &self,
                rid: &str,
                end: Option<Ts>,
                limit: i64,
                offset: i64,
                hidden_types: &[String],
            ) -> StoreResult<Vec<crate::model::DocJson>> {
                messages::history(self, rid, end, limit, offset, hidden_types).await
            }
            async fn messages_of_room(&self, rid: &str) -> StoreResult<Vec<Message>> {
                messages::messages_of_room(self, rid).await
            }
            async fn room_messages(
                &self,
                rid: &str,
                search: Option<&str>,
                offset: i64,
                count: i64,
            ) -> StoreResult<(Vec<Message>, i64)> {
                messages::room_messages(self, rid, search, offset, count).await
            }
            async fn room_messages_of_type(
                &self,
                rid: &str,
                t: &str,
                offset: i64,
                count: i64,
                sort: &[(String, bool)],
            ) -> StoreResult<(Vec<Message>, i64)> {
                messages::room_messages_of_type(self, rid, t, offset, count, sort).await
            }
            async fn list_rooms(&self, q: &RoomQuery) -> StoreResult<(Vec<Room>, i64)> {
                rooms::list_rooms(self, q).await
            }
            async fn insert_contact(&self, c: &Contact) -> StoreResult<()> {
                contacts::insert_contact(self, c).await
            }
            async fn contact(&self, id: &str) -> StoreResult<Option<Contact>> {
                contacts::contact(self, id).await
            }
            async fn modify_contact(
                &self,
                id: &str,
                f: Modify<Contact>,
            ) -> StoreResult<Option<Contact>> {
                contacts::modify_contact(self, id, f).await
            }
            async fn delete_contact(&self, id: &str) -> StoreResult<bool> {
                contacts::delete_contact(self, id).await
            }
            async fn search_contacts(&self, q: &ContactSearch) -> StoreResult<(Vec<Contact>, i64)> {
                contacts::search_contacts(self, q).await
            }
            async fn visitor_rooms(&self, q: &VisitorRoomsQuery) -> StoreResult<(Vec<Room>, i64)> {
                rooms::visitor_rooms(self, q).await
            }
            async fn room_source_types(&self) -> StoreResult<Vec<String>> {
                rooms::room_source_types(self).await
            }
            async fn analytics_rooms(
                &self,
                from: Ts,
                to: Ts,
                department_id: Option<&str>,
            ) -> StoreResult<Vec<AnalyticsRoom>> {
                analytics::analytics_rooms(self, from, to, department_id).await
            }
            async fn count_visitors_updated_between(
                &self,
                from: Ts,
                to: Ts,
                department: Option<&str>,
            ) -> StoreResult<i64> {
                analytics::count_visitors_updated_between(self, from, to, department).await
            }
            async fn open_chats_by_server(
                &self,
                department_id: Option<&str>,
            ) -> StoreResult<Vec<(String, Option<String>, i64)>> {
                rooms::open_chats_by_server(self, department_id).await
            }
            async fn subscriptions_of_room(&self, rid: &str) -> StoreResult<Vec<Subscription>> {
                rooms::subscriptions_of_room(self, rid).await
            }
            async fn subscriptions_of_user(&self, user_id: &str) -> StoreResult<Vec<Subscription>> {
                rooms::subscriptions_of_user(self, user_id).await
            }
            async fn bump_unread(
                &self,
                rid: &str,
                sender: &str,
                now: Ts,
            ) -> StoreResult<Vec<Subscription>> {
                rooms::bump_unread(self, rid, sender, now).await
            }
            async fn mark_read(
                &self,
                rid: &str,
                user: &str,
                now: Ts,
            ) -> StoreResult<Option<Subscription>> {
                rooms::mark_read(self, rid, user, now).await
            }
            async fn insert_department(&self, d: &Department) -> StoreResult<()> {
                departments::insert_department(self, d).await
            }
            async fn department(&self, id: &str) -> StoreResult<Option<Department>> {
                departments::department(self, id).await
            }
            async fn department_by_name(&self, name: &str) -> StoreResult<Option<Department>> {
                departments::department_by_name(self, name).await
            }
            async fn modify_department(
                &self,
                id: &str,
                f: Modify<Department>,
            ) -> StoreResult<Option<Department>> {
                departments::modify_department(self, id, f).await
            }
            async fn delete_department(&self, id: &str) -> StoreResult<bool> {
                departments::delete_department(self, id).await
            }
            async fn list_departments(
                &self,
                q: &DepartmentQuery,
            ) -> StoreResult<(Vec<Department>, i64)> {
                departments::list_departments(self, q).await
            }
            async fn departments_with_agents(&self) -> StoreResult<Vec<Department>> {
                departments::departments_with_agents(self).await
            }
            async fn department_agents(
                &self,
                department_id: &str,
            ) -> StoreResult<Vec<DepartmentAgent>> {
                departments::department_agents(self, department_id).await
            }
            async fn agent_departments(&self, agent_id: &str) -> StoreResult<Vec<DepartmentAgent>> {
                departments::agent_departments(self, agent_id).await
            }
            async fn update_department_agents(
                &self,
                department_id: &str,
                upsert: &[DepartmentAgent],
                remove: &[String],
            ) -> StoreResult<()> {
                departments::update_department_agents(self, department_id, upsert, remove).await
            }
            async fn presence_connect(
                &self,
                instance: &str,
                conn: u64,
                user_id: &str,
                now: Ts,
            ) -> StoreResult<bool> {
                presence::presence_connect(self, instance, conn, user_id, now).await
            }
            async fn presence_disconnect(
                &self,
                instance: &str,
                conn: u64,
            ) -> StoreResult<Option<String>> {
                presence::presence_disconnect(self, instance, conn).await
            }
            async fn presence_count(&self, user_id: &str) -> StoreResult<i64> {
                presence::presence_count(self, user_id).await
            }
            async fn instance_heartbeat(&self, instance: &str, now: Ts) -> StoreResult<bool> {
                presence::instance_heartbeat(self, instance, now).await
            }
            async fn expire_instances(&self, cutoff: Ts) -> StoreResult<Vec<String>> {
                presence::expire_instances(self, cutoff).await
            }
            async fn custom_field(&self, id: &str) -> StoreResult<Option<CustomField>> {
                custom_fields::custom_field(self, id).await
            }
            async fn custom_fields(&self, scope: Option<&str>) -> StoreResult<Vec<CustomField>> {
                custom_fields::custom_fields(self, scope).await
            }
            async fn list_custom_fields(
                &self,
                text: Option<&str>,
                offset: i64,
                count: i64,
                sort: &[(String, bool)],
            ) -> StoreResult<(Vec<CustomField>, i64)> {
                custom_fields::list_custom_fields(self, text, offset, count, sort).await
            }
            async fn insert_custom_field(&self, f: &CustomField) -> StoreResult<()> {
                custom_fields::insert_custom_field(self, f).await
            }
            async fn modify_custom_field(
                &self,
                id: &str,
                f: Modify<CustomField>,
            ) -> StoreResult<Option<CustomField>> {
                custom_fields::modify_custom_field(self, id, f).await
            }
            async fn delete_custom_field(&self, id: &str) -> StoreResult<bool> {
                custom_fields::delete_custom_field(self, id).await
            }
            async fn trigger(&self, id: &str) -> StoreResult<Option<Trigger>> {
                triggers::trigger(self, id).await
            }
            async fn list_triggers(
                &self,
                enabled_only: bool,
                offset: i64,
                count: i64,
                sort: &[(String, bool)],
            ) -> StoreResult<(Vec<Trigger>, i64)> {
                triggers::list_triggers(self, enabled_only, offset, count, sort).await
            }
            async fn put_trigger(&self, t: &Trigger) -> StoreResult<()> {
                triggers::put_trigger(self, t).await
            }
            async fn delete_trigger(&self, id: &str) -> StoreResult<bool> {
                triggers::delete_trigger(self, id).await
            }
            async fn canned_responses(&self) -> StoreResult<Vec<CannedResponse>> {
                agent_tools::canned_responses(self).await
            }
            async fn canned_response(&self, id: &str) -> StoreResult<Option<CannedResponse>> {
                agent_tools::canned_response(self, id).await
            }
            async fn put_canned_response(&self, r: &CannedResponse) -> StoreResult<()> {
                agent_tools::put_canned_response(self, r).await
            }
            async fn delete_canned_response(&self, id: &str) -> StoreResult<bool> {
                agent_tools::delete_canned_response(self, id).await
            }
            async fn livechat_tags(&self) -> StoreResult<Vec<LivechatTag>> {
                agent_tools::livechat_tags(self).await
            }
            async fn livechat_tag(&self, id: &str) -> StoreResult<Option<LivechatTag>> {
                agent_tools::livechat_tag(self, id).await
            }
            async fn put_livechat_tag(&self, t: &LivechatTag) -> StoreResult<()> {
                agent_tools::put_livechat_tag(self, t).await
            }
            async fn delete_livechat_tag(&self, id: &str) -> StoreResult<bool> {
                agent_tools::delete_livechat_tag(self, id).await
            }
            async fn business_units(&self) -> StoreResult<Vec<Unit>> {
                agent_tools::business_units(self).await
            }
            async fn business_unit(&self, id: &str) -> StoreResult<Option<Unit>> {
                agent_tools::business_unit(self, id).await
            }
            async fn put_business_unit(&self, u: &Unit) -> StoreResult<()> {
                agent_tools::put_business_unit(self, u).await
            }
            async fn delete_business_unit(&self, id: &str) -> StoreResult<bool> {
                agent_tools::delete_business_unit(self, id).await
            }
            async fn insert_note(&self, m: &Message) -> StoreResult<()> {
                agent_tools::insert_note(self, m).await
            }
            async fn notes_of_room(
                &self,
                rid: &str,
                end: Option<Ts>,
                limit: i64,
            ) -> StoreResult<Vec<Message>> {
                agent_tools::notes_of_room(self, rid, end, limit).await
            }
            async fn business_hours(&self, kind: Option<&str>) -> StoreResult<Vec<BusinessHour>> {
                business_hours::business_hours(self, kind).await
            }
            async fn put_business_hour(&self, bh: &BusinessHour) -> StoreResult<()> {
                business_hours::put_business_hour(self, bh).await
            }
            async fn insert_pending_navigation(
                &self,
                token: &str,
                expire_at: i64,
                msg: &Message,
            ) -> StoreResult<()> {
                navigation::insert_pending_navigation(self, token, expire_at, msg).await
            }
            async fn attach_pending_navigation(
                &self,
                token: &str,
                rid: &str,
                now_ms: i64,
                room_update: Received,
            ) -> StoreResult<Vec<Message>> {
                navigation::attach_pending_navigation(self, token, rid, now_ms, room_update).await
            }
            async fn purge_pending_navigation(&self, now_ms: i64) -> StoreResult<u64> {
                navigation::purge_pending_navigation(self, now_ms).await
            }
            async fn insert_upload_message(
                &self,
                upload: &Upload,
                msg: Message,
                room_update: Modify<Room>,
            ) -> StoreResult<Option<Room>> {
                uploads::insert_upload_message(self, upload, msg, room_update).await
            }
            async fn insert_upload(&self, upload: &Upload) -> StoreResult<()> {
                uploads::insert_upload(self, upload).await
            }
            async fn upload(&self, id: &str) -> StoreResult<Option<Upload>> {
                uploads::upload(self, id).await
            }
            async fn expired_uploads(&self, before: &str) -> StoreResult<Vec<Upload>> {
                uploads::expired_uploads(self, before).await
            }
            async fn delete_upload(&self, id: &str) -> StoreResult<()> {
                uploads::delete_upload(self, id).await
            }
            async fn uploads_of_token(&self, token: &str) -> StoreResult<Vec<Upload>> {
                uploads::uploads_of_token(self, token).await
            }
            async fn outbox_enqueue(&self, item: &OutboxItem) -> StoreResult<()> {
                outbox::outbox_enqueue(self, item).await
            }
            async fn outbox_claim(
                &self,
                now: Ts,
                lease_ms: i64,
                owner: &str,
                limit: i64,
            ) -> StoreResult<Vec<OutboxItem>> {
                outbox::outbox_claim(self, now, lease_ms, owner, limit).await
            }
            async fn outbox_finish(
                &self,
                id: &str,
                owner: &str,
                outcome: &OutboxOutcome,
            ) -> StoreResult<bool> {
                outbox::outbox_finish(self, id, owner, outcome).await
            }
            async fn outbox_next_due(&self) -> StoreResult<Option<Ts>> {
                outbox::outbox_next_due(self).await
            }
            async fn outbox_stats(&self) -> StoreResult<OutboxStats> {
                outbox::outbox_stats(self).await
            }
            async fn live_figures(&self) -> StoreResult<LiveFigures> {
                figures::live_figures(self).await
            }
            fn pool_stats(&self) -> PoolStats {
                figures::pool_stats(self)
            }
        }
    };
}

pub(crate) use forward_store;
