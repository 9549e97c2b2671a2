use std::rc::Rc;

use herald::prelude::*;

/// Holds an `Rc` across an `.await`: its future cannot move between threads.
#[command]
async fn counts() {
    let count = Rc::new(1);
    tokio::task::yield_now().await;
    drop(count);
}

fn main() {}
