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

/// A caller that gives up while its transaction is beginning (a client gone mid-request)
/// must not leave the pooled connection inside that transaction: the next caller's
/// statements would run in it and hold its locks (sqlx before 0.9.1 did this on
/// PostgreSQL; seen under load as "there is already a transaction in progress").
// Several workers: the connection's replies are read while this test sleeps between polls.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_operation_leaves_no_transaction_open() {
    use ferrochat::store::Store;
    use ferrochat::store::postgres::{PgStore, PoolSettings};
    use std::future::Future;
    use std::task::{Context, Poll};
    if !harness::engines().contains(&"postgres") {
        return;
    }
    let (url, _schema) = harness::pg_schema().await;
    // One connection, so the next caller gets the one the cancelled operation used.
    let settings = PoolSettings {
        max: 1,
        min: 1,
        ..Default::default()
    };
    let store = PgStore::connect(&url, &settings).await.unwrap();
    let waker = std::task::Waker::noop();
    // Dropped after 1, 2, … polls: one of them falls while BEGIN is on the wire.
    for polls in 1..=12 {
        let mut op = Box::pin(store.modify_contact("nobody", Box::new(|_| Ok(()))));
        for _ in 0..polls {
            if let Poll::Ready(r) = op.as_mut().poll(&mut Context::from_waker(waker)) {
                r.unwrap();
                break;
            }
            std::thread::sleep(std::time::Duration::from_micros(300));
        }
        drop(op);
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        // Outside a transaction every statement starts its own; inside the stale one,
        // `now()` (its start) is at least the 5 ms slept above old.
        let stale: bool =
            sqlx::query_scalar("SELECT now() < statement_timestamp() - interval '3 ms'")
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert!(
            !stale,
            "dropped after {polls} polls: the connection stayed in a transaction"
        );
    }
}
