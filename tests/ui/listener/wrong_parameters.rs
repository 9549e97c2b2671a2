use herald::prelude::*;

#[listener]
async fn no_event() {}

#[listener]
async fn by_value(_msg: MessageCreate) {}

#[listener]
async fn mutable(_msg: &mut MessageCreate) {}

#[listener]
async fn too_many(_ctx: Context, _msg: &MessageCreate, _extra: u32) {}

#[listener]
async fn generic<E>(_event: &E) {}

fn main() {}
