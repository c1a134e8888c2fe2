//! `GET /metrics`: the receiver's counters in the Prometheus text format.
//!
//! Each receiver has its own recorder (not the process-wide one), so two receivers in one
//! process, or a test's, never mix their counts.

use metrics::{Recorder, counter, histogram, with_local_recorder};
use metrics_exporter_prometheus::{
    Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder,
};

pub(crate) struct Metrics {
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
}

/// Why a request was refused before it was recorded: the `reason` label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    Unauthorized,
    Signature,
    TooLarge,
    Busy,
    Disk,
    UnknownContract,
    Empty,
}

impl Refusal {
    fn label(self) -> &'static str {
        match self {
            Refusal::Unauthorized => "unauthorized",
            Refusal::Signature => "signature",
            Refusal::TooLarge => "too_large",
            Refusal::Busy => "busy",
            Refusal::Disk => "disk",
            Refusal::UnknownContract => "unknown_contract",
            Refusal::Empty => "empty",
        }
    }
}

const LATENCY: &str = "handoff_request_duration_seconds";

impl Metrics {
    pub(crate) fn new() -> Metrics {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full(LATENCY.into()),
                &[
                    0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
                ],
            )
            .expect("the bucket list is not empty")
            .build_recorder();
        let handle = recorder.handle();
        let m = Metrics { recorder, handle };
        m.with(|| {
            use metrics::{Unit, describe_counter, describe_histogram};
            describe_counter!(
                "handoff_payloads_total",
                "Payloads recorded and checked, by contract."
            );
            describe_counter!(
                "handoff_payloads_invalid_total",
                "Recorded payloads with findings, by contract."
            );
            describe_counter!(
                "handoff_violations_total",
                "Findings, by contract and violation kind."
            );
            describe_counter!(
                "handoff_payload_bytes_total",
                Unit::Bytes,
                "Bytes of the recorded payloads, by contract."
            );
            describe_counter!(
                "handoff_signatures_rejected_total",
                "Posts refused for a missing, wrong or stale signature, by contract."
            );
            describe_counter!(
                "handoff_requests_refused_total",
                "Requests answered without recording, by reason."
            );
            describe_counter!(
                "handoff_contract_reload_failures_total",
                "Edits of a contract file that did not load; the version loaded before goes on checking."
            );
            describe_histogram!(
                LATENCY,
                Unit::Seconds,
                "Time from a capture request's arrival to its answer."
            );
        });
        m
    }

    fn with<T>(&self, f: impl FnOnce() -> T) -> T {
        with_local_recorder(&self.recorder as &dyn Recorder, f)
    }

    pub(crate) fn recorded(&self, contract: &str, bytes: usize, kinds: &[&'static str]) {
        self.with(|| {
            let c = contract.to_string();
            counter!("handoff_payloads_total", "contract" => c.clone()).increment(1);
            counter!("handoff_payload_bytes_total", "contract" => c.clone())
                .increment(bytes as u64);
            if !kinds.is_empty() {
                counter!("handoff_payloads_invalid_total", "contract" => c.clone()).increment(1);
            }
            for kind in kinds {
                counter!("handoff_violations_total", "contract" => c.clone(), "kind" => *kind)
                    .increment(1);
            }
        });
    }

    pub(crate) fn refused(&self, why: Refusal, contract: Option<&str>) {
        self.with(|| {
            counter!("handoff_requests_refused_total", "reason" => why.label()).increment(1);
            if why == Refusal::Signature {
                let c = contract.unwrap_or("").to_string();
                counter!("handoff_signatures_rejected_total", "contract" => c).increment(1);
            }
        });
    }

    pub(crate) fn reload_failed(&self, contract: &str) {
        self.with(|| {
            counter!("handoff_contract_reload_failures_total", "contract" => contract.to_string())
                .increment(1);
        });
    }

    pub(crate) fn latency(&self, seconds: f64) {
        self.with(|| histogram!(LATENCY).record(seconds));
    }

    pub(crate) fn render(&self) -> String {
        self.handle.render()
    }
}
