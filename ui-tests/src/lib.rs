//! The trybuild suite lives in `tests/ui.rs`: `tests/ui/fail/*.rs` must fail
//! to compile with the error in the matching `.stderr`, `tests/ui/pass/*.rs`
//! must compile and run.
