use herald::prelude::*;

#[listener(onse)]
async fn typo(_msg: &MessageCreate) {}

#[listener(once, once, name = "a", name = "b")]
async fn duplicated(_msg: &MessageCreate) {}

#[listener(name = 5)]
async fn not_a_string(_msg: &MessageCreate) {}

fn main() {}
