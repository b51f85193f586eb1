//! Pins the compile errors of misuse (`ui/fail`, with their `.stderr`) and
//! checks that every supported shape compiles and runs (`ui/pass`).
//!
//! After an intended change to a message: `TRYBUILD=overwrite cargo test -p
//! arena-arc-ui-tests`, then review the `.stderr` diff.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/fail/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
