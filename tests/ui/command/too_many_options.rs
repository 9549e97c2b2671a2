use herald::prelude::*;

/// 26 options.
#[command]
async fn many(
    _o0: i64,
    _o1: i64,
    _o2: i64,
    _o3: i64,
    _o4: i64,
    _o5: i64,
    _o6: i64,
    _o7: i64,
    _o8: i64,
    _o9: i64,
    _o10: i64,
    _o11: i64,
    _o12: i64,
    _o13: i64,
    _o14: i64,
    _o15: i64,
    _o16: i64,
    _o17: i64,
    _o18: i64,
    _o19: i64,
    _o20: i64,
    _o21: i64,
    _o22: i64,
    _o23: i64,
    _o24: i64,
    _o25: i64,
) {
}

fn main() {}
