//! Behaviour pinned at the domain's edge: each scenario drives the livechat rules on a real
//! engine (no HTTP) and compares every document they wrote (rooms, inquiries,
//! subscriptions, messages with their metrics, agents' counters, department agents,
//! visitors) with a committed snapshot. Both engines must produce the same documents.

mod harness;
mod scenarios;

macro_rules! pinned {
    ($($name:ident),* $(,)?) => {$(
        #[tokio::test]
        async fn $name() {
            for engine in harness::engines() {
                let mut env = harness::Env::new(engine).await;
                scenarios::$name(&mut env).await;
                env.check(stringify!($name)).await;
            }
        }
    )*};
}

pinned!(
    auto_selection_least_assigned,
    load_balancing_fewest_open_chats,
    load_rotation_longest_idle,
    manual_selection_queue_and_take,
    preferred_agent_and_no_agent_online,
    department_routing_and_fallback,
    agent_limit_queues_and_close_routes_next,
    transfer_to_agent_with_a_second_subscriber,
    transfer_to_department_and_queue,
    messages_and_response_metrics,
    visitor_edits_and_deletes,
    next_agent_moves_the_counter,
    close_by_visitor_and_by_agent,
);
