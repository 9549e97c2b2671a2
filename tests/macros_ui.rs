//! Compile-fail tests: each mistake gets an error spanned on its tokens, saying what to do.
//! Snapshots are the `.stderr` files beside the cases (`TRYBUILD=overwrite` refreshes them).

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/listener/*.rs");
    t.compile_fail("tests/ui/event/*.rs");
    t.compile_fail("tests/ui/derive/*.rs");
    t.compile_fail("tests/ui/command/*.rs");
    t.compile_fail("tests/ui/choice/*.rs");
}
