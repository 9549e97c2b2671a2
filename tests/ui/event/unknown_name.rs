use herald::prelude::*;

#[event]
async fn on_mesage(_ctx: Context, _msg: &MessageCreate) {}

#[event]
async fn on_member_jion(_join: &MemberAdd) {}

#[event]
async fn message(_msg: &MessageCreate) {}

fn main() {}
