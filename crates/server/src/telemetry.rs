//! Operators' metrics (issue 17): counters and histograms recorded as things happen, in a
//! recorder of this app's own (several apps may share a process in tests), rendered in
//! Prometheus' text format by `GET /metrics` together with the figures read at scrape time.
//! Labels take bounded values only: route templates, method names, sender kinds.

use metrics::{counter, histogram};
use metrics_exporter_prometheus::{
    Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder,
};
use std::sync::Arc;

pub const HTTP_REQUESTS: &str = "ferrochat_http_requests_total";
pub const HTTP_DURATION: &str = "ferrochat_http_request_duration_seconds";
pub const MESSAGES: &str = "ferrochat_messages_total";
pub const ROOMS_CREATED: &str = "ferrochat_livechat_rooms_created_total";
pub const FIRST_RESPONSE: &str = "ferrochat_livechat_first_response_seconds";
pub const DDP_CALLS: &str = "ferrochat_ddp_method_calls_total";
pub const DDP_DURATION: &str = "ferrochat_ddp_method_duration_seconds";

/// Request latencies: 1 ms to 10 s.
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// Waits for a first answer: 5 s to 1 h.
const RESPONSE_BUCKETS: &[f64] = &[
    5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1200.0, 1800.0, 3600.0,
];

/// Who wrote a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sender {
    Visitor,
    Agent,
    System,
}

impl Sender {
    fn label(self) -> &'static str {
        match self {
            Sender::Visitor => "visitor",
            Sender::Agent => "agent",
            Sender::System => "system",
        }
    }
}

pub struct Metrics {
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
}

pub type SharedMetrics = Arc<Metrics>;

impl Metrics {
    /// Every series carries `instance` (this process among several).
    pub fn new(instance: &str) -> SharedMetrics {
        let builder = PrometheusBuilder::new()
            .add_global_label("instance", instance)
            .set_buckets_for_metric(Matcher::Full(HTTP_DURATION.into()), LATENCY_BUCKETS)
            .and_then(|b| {
                b.set_buckets_for_metric(Matcher::Full(DDP_DURATION.into()), LATENCY_BUCKETS)
            })
            .and_then(|b| {
                b.set_buckets_for_metric(Matcher::Full(FIRST_RESPONSE.into()), RESPONSE_BUCKETS)
            })
            .expect("the buckets are not empty");
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        let m = Metrics { recorder, handle };
        m.record(|| {
            use metrics::{describe_counter, describe_histogram};
            describe_counter!(
                HTTP_REQUESTS,
                "HTTP requests answered, by method, route template and status"
            );
            describe_histogram!(
                HTTP_DURATION,
                metrics::Unit::Seconds,
                "Time to answer an HTTP request (to its response head)"
            );
            describe_counter!(
                MESSAGES,
                "Messages written in livechat rooms, by sender kind (visitor, agent, system)"
            );
            describe_counter!(ROOMS_CREATED, "Livechat rooms created");
            describe_histogram!(
                FIRST_RESPONSE,
                metrics::Unit::Seconds,
                "Time from the visitor's message (or the chat's start) to an agent's first answer"
            );
            describe_counter!(
                DDP_CALLS,
                "DDP method calls, by method and outcome (ok, error)"
            );
            describe_histogram!(
                DDP_DURATION,
                metrics::Unit::Seconds,
                "Time to answer a DDP method call"
            );
            // Present from the start, so a dashboard shows 0 rather than nothing.
            for s in [Sender::Visitor, Sender::Agent, Sender::System] {
                counter!(MESSAGES, "sender" => s.label()).absolute(0);
            }
            counter!(ROOMS_CREATED).absolute(0);
        });
        Arc::new(m)
    }

    fn record<T>(&self, f: impl FnOnce() -> T) -> T {
        metrics::with_local_recorder(&self.recorder, f)
    }

    pub fn http_request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let (method, route) = (method.to_string(), route.to_string());
        self.record(|| {
            counter!(HTTP_REQUESTS, "method" => method.clone(), "route" => route.clone(), "status" => status.to_string())
                .increment(1);
            histogram!(HTTP_DURATION, "method" => method, "route" => route).record(seconds);
        });
    }

    pub fn message(&self, sender: Sender) {
        self.record(|| counter!(MESSAGES, "sender" => sender.label()).increment(1));
    }

    pub fn room_created(&self) {
        self.record(|| counter!(ROOMS_CREATED).increment(1));
    }

    pub fn first_response(&self, seconds: f64) {
        self.record(|| histogram!(FIRST_RESPONSE).record(seconds.max(0.0)));
    }

    /// `method`: a known method's name (an unknown one is counted as `unknown`).
    pub fn ddp_method(&self, method: &str, ok: bool, seconds: f64) {
        let method = method.to_string();
        let outcome = if ok { "ok" } else { "error" };
        self.record(|| {
            counter!(DDP_CALLS, "method" => method.clone(), "outcome" => outcome).increment(1);
            histogram!(DDP_DURATION, "method" => method).record(seconds);
        });
    }

    /// The recorded series in Prometheus' text format.
    pub fn render(&self) -> String {
        self.handle.render()
    }

    /// Folds recent histogram samples (memory stays bounded between scrapes).
    pub fn upkeep(&self) {
        self.handle.run_upkeep();
    }
}

/// Prometheus' text format for the figures read at scrape time.
#[derive(Default)]
pub struct Text(String);

impl Text {
    /// One family: `# HELP`, `# TYPE`, then a sample per label set.
    pub fn family(
        &mut self,
        name: &str,
        kind: &str,
        help: &str,
        samples: &[(Vec<(&str, String)>, f64)],
    ) {
        use std::fmt::Write;
        writeln!(self.0, "# HELP {name} {help}\n# TYPE {name} {kind}").ok();
        for (labels, value) in samples {
            let labels: Vec<String> = labels
                .iter()
                .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
                .collect();
            match labels.is_empty() {
                true => writeln!(self.0, "{name} {value}"),
                false => writeln!(self.0, "{name}{{{}}} {value}", labels.join(",")),
            }
            .ok();
        }
    }

    pub fn finish(self) -> String {
        self.0
    }
}

/// A label value as the text format wants it.
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_of_one_app_stay_in_its_recorder() {
        let (a, b) = (Metrics::new("a"), Metrics::new("b"));
        a.room_created();
        a.http_request("GET", "/api/v1/me", 200, 0.002);
        a.first_response(12.0);
        let (ra, rb) = (a.render(), b.render());
        assert!(
            ra.contains("ferrochat_livechat_rooms_created_total{instance=\"a\"} 1"),
            "{ra}"
        );
        assert!(
            rb.contains("ferrochat_livechat_rooms_created_total{instance=\"b\"} 0"),
            "{rb}"
        );
        assert!(
            ra.contains("ferrochat_http_request_duration_seconds_bucket{"),
            "{ra}"
        );
        assert!(
            ra.contains(
                "ferrochat_livechat_first_response_seconds_bucket{instance=\"a\",le=\"30\"} 1"
            ),
            "{ra}"
        );
        assert!(!rb.contains("/api/v1/me"), "{rb}");
    }

    #[test]
    fn label_values_are_escaped() {
        let mut t = Text::default();
        t.family(
            "x",
            "gauge",
            "h",
            &[(vec![("d", "a\"b\\c\nd".into())], 1.0)],
        );
        assert_eq!(
            t.finish(),
            "# HELP x h\n# TYPE x gauge\nx{d=\"a\\\"b\\\\c\\nd\"} 1\n"
        );
    }
}
