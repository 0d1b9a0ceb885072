//! Request counts and latencies by route, in the Prometheus text format (`GET /metrics`).

use crate::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Upper bounds of the latency histogram, seconds.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

#[derive(Default)]
struct Series {
    count: u64,
    seconds: f64,
    /// Requests at or below each bucket's bound (not cumulative here).
    buckets: [u64; BUCKETS.len()],
}

/// Counters keyed by (method, route, status).
#[derive(Default)]
pub struct Metrics {
    series: Mutex<BTreeMap<(String, String, u16), Series>>,
}

impl Metrics {
    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let mut all = self.series.lock().unwrap_or_else(|e| e.into_inner());
        let s = all
            .entry((method.to_string(), route.to_string(), status))
            .or_default();
        s.count += 1;
        s.seconds += seconds;
        if let Some(i) = BUCKETS.iter().position(|&b| seconds <= b) {
            s.buckets[i] += 1;
        }
    }

    /// The Prometheus text exposition.
    pub fn render(&self, articles: Option<u64>) -> String {
        let all = self.series.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = String::new();
        out.push_str(
            "# HELP khabar_http_requests_total Requests served, by method, route and status.\n",
        );
        out.push_str("# TYPE khabar_http_requests_total counter\n");
        for ((m, r, st), s) in all.iter() {
            let _ = writeln!(
                out,
                "khabar_http_requests_total{{method=\"{m}\",route=\"{}\",status=\"{st}\"}} {}",
                escape(r),
                s.count
            );
        }
        out.push_str("# HELP khabar_http_request_duration_seconds Time to serve a request.\n");
        out.push_str("# TYPE khabar_http_request_duration_seconds histogram\n");
        let mut by_route: BTreeMap<(&str, &str), Series> = BTreeMap::new();
        for ((m, r, _), s) in all.iter() {
            let t = by_route.entry((m, r)).or_default();
            t.count += s.count;
            t.seconds += s.seconds;
            for (a, b) in t.buckets.iter_mut().zip(s.buckets) {
                *a += b;
            }
        }
        for ((m, r), s) in &by_route {
            let labels = format!("method=\"{m}\",route=\"{}\"", escape(r));
            let mut cumulative = 0;
            for (bound, n) in BUCKETS.iter().zip(s.buckets) {
                cumulative += n;
                let _ = writeln!(
                    out,
                    "khabar_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "khabar_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                s.count
            );
            let _ = writeln!(
                out,
                "khabar_http_request_duration_seconds_sum{{{labels}}} {}",
                s.seconds
            );
            let _ = writeln!(
                out,
                "khabar_http_request_duration_seconds_count{{{labels}}} {}",
                s.count
            );
        }
        if let Some(n) = articles {
            out.push_str("# HELP khabar_corpus_articles Articles stored in the corpus.\n");
            out.push_str("# TYPE khabar_corpus_articles gauge\n");
            let _ = writeln!(out, "khabar_corpus_articles {n}");
        }
        out
    }
}

fn escape(label: &str) -> String {
    label.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Middleware: times every request and counts it under its route pattern (never the raw
/// path, so ids do not multiply the series).
pub async fn record(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |m| m.as_str())
        .to_string();
    let response = next.run(req).await;
    state.metrics.observe(
        &method,
        &route,
        response.status().as_u16(),
        start.elapsed().as_secs_f64(),
    );
    response
}
