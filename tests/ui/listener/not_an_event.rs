use herald::prelude::*;

#[listener]
async fn strings(_text: &String) {}

fn main() {}
