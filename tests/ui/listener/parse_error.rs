use herald::prelude::*;

/// A syntax error in the body: the item is kept, and the error is rustc's own, at its place.
#[listener]
async fn greet(_msg: &MessageCreate) {
    let x = ;
}

/// Used after the broken listener: still known to the compiler (no "cannot find" error).
fn uses_greet() -> Listener {
    greet()
}

fn main() {}
