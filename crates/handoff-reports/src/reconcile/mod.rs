//! Order truth across systems: captures from several boundaries joined by the entity they speak
//! of (a return, an order, a refund), each entity's timeline judged against its flow, and every
//! disagreement named as a gap with both sides' values, sources and times.
//!
//! Data flows one way: a flow is read ([`read`]) and checked against its systems' contracts
//! ([`validate`]); every payload is checked against its contract and read into a [`message`];
//! messages wait on disk ([`spill`]) until every capture is read; each entity is then judged
//! ([`gaps`]) and the results tallied ([`run`]). Its report, in every format, is [`render`]'s.

pub mod flow;
pub mod gaps;
pub mod message;
pub mod pipeline;
pub mod read;
pub mod render;
pub mod run;
pub mod spill;
pub mod validate;
