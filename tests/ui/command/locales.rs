use herald::prelude::*;

/// Unknown and repeated locales.
#[command(
    localize("fr-FR", name = "avertir"),
    localize("de", name = "warnen"),
    localize("de", description = "Warnt")
)]
async fn warn(#[option(localize("klingon", name = "x"))] _user: Id<UserMarker>) {}

fn main() {}
