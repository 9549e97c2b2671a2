use herald::prelude::*;

#[listener]
#[listener]
async fn greet(msg: &MessageCreate) {
    let _ = msg;
}

fn main() {}
