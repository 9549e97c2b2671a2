use herald::prelude::*;

#[derive(Choice)]
struct Color {
    red: bool,
}

fn main() {}
