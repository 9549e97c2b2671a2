use herald::prelude::*;

#[derive(Event)]
#[event(nme = "x")]
struct Typo;

#[derive(Event)]
struct Message;

#[derive(Event)]
#[event(name = "typing")]
struct Custom;

#[derive(Event)]
union NotAnEvent {
    a: u32,
}

#[derive(Event)]
struct BadField {
    #[event(kee)]
    user: u64,
}

fn main() {}
