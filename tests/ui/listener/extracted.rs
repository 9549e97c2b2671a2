use herald::prelude::*;

struct Settings;

/// State comes as `Data<T>`, not as the bare type.
#[listener]
async fn greet(_msg: &MessageCreate, _settings: Settings) {}

/// At most four parameters after the event.
#[listener]
async fn crowded(
    _msg: &MessageCreate,
    _a: Data<Settings>,
    _b: Data<Settings>,
    _c: Data<Settings>,
    _d: Data<Settings>,
    _e: Data<Settings>,
) {
}

fn main() {}
