// A context menu's target must be of its kind: a message command cannot target a user.
use herald::prelude::*;

#[command(message, name = "Quote")]
async fn quote(ctx: Context, command: &ApplicationCommand, target: User) -> herald::Result {
    ctx.reply(command, &target.name).await?;
    Ok(())
}

#[command(user, name = "Profile")]
async fn profile(ctx: Context, command: &ApplicationCommand, target: Id<MessageMarker>) -> herald::Result {
    ctx.reply(command, &target.to_string()).await?;
    Ok(())
}

fn main() {
    let _ = Bot::builder().command(quote).command(profile);
}
