use herald::prelude::*;

/// Not a function: the item is kept, syn's error is at its place, and what to do is said.
#[listener]
struct Greeter;

fn main() {
    let _kept = Greeter;
}
