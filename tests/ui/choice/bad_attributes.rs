use herald::prelude::*;

#[derive(Choice)]
#[choice(name = "x")]
enum Size {
    #[choice(label = "Big")]
    Big,
    #[choice(name = "", value = "this value is longer than one hundred characters, which Discord refuses for a choice's value, so say so.")]
    Small,
    #[choice(name = "a", name = "b")]
    Medium,
}

fn main() {}
