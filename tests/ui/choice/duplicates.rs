use herald::prelude::*;

#[derive(Choice)]
enum Size {
    Small,
    #[choice(name = "Small")]
    Little,
    #[choice(value = "small")]
    Tiny,
}

fn main() {}
