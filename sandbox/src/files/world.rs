//! World files: a [`World`] written as TOML. The format is documented on
//! [`world_from_toml`].

use std::{
    collections::{HashMap, HashSet},
    path::Path,
};

use serde::Deserialize;
use toml::Spanned;
use twilight_model::{
    guild::Permissions,
    id::{
        Id,
        marker::{GuildMarker, RoleMarker, UserMarker},
    },
};

use super::{FileError, names_hint, read};
use crate::core::world::World;

/// The bot's name when the file has no `bot = ...` (the demo world's).
const DEFAULT_BOT: &str = "herald-bot";

/// The role the bot gets in each guild unless the file lists the bot among
/// the guild's members (as in [`World::demo`]).
const BOT_ROLE: &str = "Herald";

/// At most this many `generated_members` per guild.
const MAX_GENERATED: usize = 10_000;

/// Builds a [`World`] from the text of a world file.
///
/// The world is built with the public [`World`] methods, so the file and
/// the same calls in Rust give the same world (and ids are deterministic
/// in the same way). Every guild also gets the bot as a member, as in
/// [`World::demo`]: with a role `Herald` (administrator), or the guild's
/// own role of that name when it declares one, unless the guild lists the
/// bot in its `members` (then with the roles listed there) or says
/// `bot_member = false`.
///
/// # Format
///
/// ```toml
/// # The bot user's name (optional, default "herald-bot").
/// bot = "herald-bot"
/// # The users (besides the bot). Guild members must be listed here.
/// users = ["mod", "alice", "bob", "carol", "dave"]
/// # Users who refuse DMs from the bot (optional): posting to the DM
/// # channel answers 403, code 50007.
/// refuse_dms = ["carol"]
///
/// [[guilds]]
/// name = "Herald Test"
/// # Optional: by default the first human member owns the guild.
/// owner = "mod"
/// # type: "text" (the default), "voice" or "stage". overwrites: the
/// # channel's permission overwrites, each for a role ("@everyone" too) or
/// # a user, with allow and deny written as role permissions are.
/// channels = [
///     { name = "general" },
///     { name = "welcome" },
///     { name = "announcements", overwrites = [
///         { role = "@everyone", deny = ["SEND_MESSAGES"] },
///         { role = "Moderator", allow = ["SEND_MESSAGES"] },
///     ] },
///     { name = "Voice", type = "voice" },
///     { name = "Stage", type = "stage" },
/// ]
/// # Optional: where Discord posts join messages.
/// system_channel = "welcome"
/// # permissions (optional, default none): Discord's bit set as an
/// # integer (8 = ADMINISTRATOR), or a list of twilight `Permissions`
/// # names. @everyone is implicit and cannot be listed.
/// roles = [
///     { name = "Member" },
///     { name = "Moderator", permissions = ["BAN_MEMBERS", "KICK_MEMBERS", "MANAGE_MESSAGES"] },
///     { name = "Admin", permissions = 8 },
/// ]
/// # Each user at most once; roles must be roles of this guild.
/// members = [
///     { user = "mod", roles = ["Member", "Moderator"] },
///     { user = "alice", roles = ["Member"] },
///     { user = "bob" },
///     { user = "carol" },
/// ]
/// # Optional: that many more members, users "member-1" .. "member-300"
/// # (created once, shared by every guild that generates members), for
/// # guilds over IDENTIFY's large_threshold.
/// generated_members = 0
/// # Custom emojis and guild stickers (optional).
/// emojis = ["herald", "party"]
/// stickers = ["wave"]
/// # Optional, default true: whether the bot is a member.
/// bot_member = true
///
/// [[guilds]]
/// name = "Other Guild"
/// channels = [{ name = "lobby" }]
/// members = [{ user = "dave" }]
/// ```
///
/// Unknown keys are errors. Names must be unique: users in the world,
/// guilds in the world, and channels, roles, members, emojis and stickers
/// in their guild.
///
/// # Errors
///
/// A [`FileError`] naming the line: TOML syntax and type errors, unknown
/// keys, and names that do not fit (a member who is not a user, a role the
/// guild lacks, an unknown channel type, a name used twice...), with what
/// to do: `world:14: member "carol" is not a user: add it to users = [...]`.
///
/// ```
/// let world = herald_sandbox::world_from_toml(
///     r#"
///     users = ["alice"]
///     [[guilds]]
///     name = "My Server"
///     channels = [{ name = "general" }]
///     members = [{ user = "alice" }]
///     "#,
/// )?;
/// assert!(world.channel_id("general").is_some());
///
/// let error = herald_sandbox::world_from_toml(
///     "users = [\"alice\"]\n[[guilds]]\nname = \"G\"\nmembers = [{ user = \"carol\" }]\n",
/// )
/// .unwrap_err();
/// assert_eq!(error.line(), Some(4));
/// assert!(error.to_string().starts_with("world:4: member \"carol\" is not a user"));
/// # Ok::<(), herald_sandbox::FileError>(())
/// ```
pub fn world_from_toml(text: &str) -> Result<World, FileError> {
    parse_world(text, "world")
}

/// Reads a world file (see [`world_from_toml`] for the format); errors
/// start with the file's path: `worlds/demo.toml:14: ...`.
///
/// # Errors
///
/// A [`FileError`] if the file cannot be read or is not a valid world.
pub fn world_from_file(path: &Path) -> Result<World, FileError> {
    parse_world(&read(path)?, &path.display().to_string())
}

// ---- the file as written ----------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWorld {
    bot: Option<Spanned<String>>,
    #[serde(default)]
    users: Vec<Spanned<String>>,
    #[serde(default)]
    refuse_dms: Vec<Spanned<String>>,
    #[serde(default)]
    guilds: Vec<RawGuild>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGuild {
    name: Spanned<String>,
    owner: Option<Spanned<String>>,
    #[serde(default)]
    channels: Vec<RawChannel>,
    #[serde(default)]
    roles: Vec<RawRole>,
    #[serde(default)]
    members: Vec<RawMember>,
    #[serde(default)]
    generated_members: Option<Spanned<usize>>,
    #[serde(default)]
    emojis: Vec<Spanned<String>>,
    #[serde(default)]
    stickers: Vec<Spanned<String>>,
    bot_member: Option<Spanned<bool>>,
    system_channel: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChannel {
    name: Spanned<String>,
    #[serde(rename = "type")]
    kind: Option<Spanned<String>>,
    #[serde(default)]
    overwrites: Vec<Spanned<RawOverwrite>>,
}

/// A channel's permission overwrite: for a `role` (`"@everyone"` too) or a
/// `user`, with `allow` and `deny` as role permissions are written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOverwrite {
    role: Option<Spanned<String>>,
    user: Option<Spanned<String>>,
    allow: Option<Spanned<toml::Value>>,
    deny: Option<Spanned<toml::Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRole {
    name: Spanned<String>,
    permissions: Option<Spanned<toml::Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMember {
    user: Spanned<String>,
    #[serde(default)]
    roles: Vec<Spanned<String>>,
}

// ---- building ---------------------------------------------------------------------

/// Errors at spans of one text.
struct Ctx<'a> {
    origin: &'a str,
    text: &'a str,
}

impl Ctx<'_> {
    fn err<T>(&self, at: &Spanned<T>, message: impl Into<String>) -> FileError {
        FileError::at_offset(self.origin, self.text, at.span().start, message)
    }

    /// A non-empty name.
    fn name<'s>(&self, name: &'s Spanned<String>, what: &str) -> Result<&'s str, FileError> {
        let value = name.get_ref().as_str();
        if value.trim().is_empty() {
            return Err(self.err(name, format!("{what} name is empty: give it a name")));
        }
        Ok(value)
    }
}

/// Names already used in one scope, to refuse duplicates.
struct Unique<'a> {
    seen: HashSet<&'a str>,
    what: &'static str,
    scope: String,
}

impl<'a> Unique<'a> {
    fn new(what: &'static str, scope: impl Into<String>) -> Self {
        Self {
            seen: HashSet::new(),
            what,
            scope: scope.into(),
        }
    }

    fn insert(
        &mut self,
        ctx: &Ctx<'_>,
        at: &Spanned<String>,
        name: &'a str,
    ) -> Result<(), FileError> {
        if self.seen.insert(name) {
            Ok(())
        } else {
            Err(ctx.err(
                at,
                format!(
                    "{} {name:?} is listed twice in {}: names must be unique there; remove or \
                     rename one",
                    self.what, self.scope
                ),
            ))
        }
    }
}

fn parse_world(text: &str, origin: &str) -> Result<World, FileError> {
    let raw: RawWorld = toml::from_str(text).map_err(|e| FileError::toml(origin, text, &e))?;
    let ctx = Ctx { origin, text };

    let bot_name = match &raw.bot {
        Some(bot) => ctx.name(bot, "the bot's")?,
        None => DEFAULT_BOT,
    };
    let mut world = World::new(bot_name);
    let bot = world.bot_user_id();

    // Users.
    let mut users = Unique::new("user", "users = [...]");
    for user in &raw.users {
        let name = ctx.name(user, "a user's")?;
        if name == bot_name {
            return Err(ctx.err(
                user,
                format!(
                    "user {name:?} is the bot's name (bot = {bot_name:?}); the bot is a user \
                     already: remove it from users = [...]"
                ),
            ));
        }
        users.insert(&ctx, user, name)?;
        world.add_user(name);
    }
    let known_users = || {
        names_hint(std::iter::once(bot_name).chain(raw.users.iter().map(|u| u.get_ref().as_str())))
    };
    let user_id = |world: &World, at: &Spanned<String>, role: &str| {
        world.user_id(at.get_ref()).ok_or_else(|| {
            ctx.err(
                at,
                format!(
                    "{role} {:?} is not a user: add it to users = [...] (users: {})",
                    at.get_ref(),
                    known_users()
                ),
            )
        })
    };
    for user in &raw.refuse_dms {
        let id = user_id(&world, user, "refuse_dms: user")?;
        if id == bot {
            return Err(ctx.err(user, "refuse_dms: the bot cannot refuse its own DMs"));
        }
        world.refuse_dms(id);
    }

    // Guilds.
    let mut guilds = Unique::new("guild", "guilds");
    for g in &raw.guilds {
        let guild_name = ctx.name(&g.name, "a guild's")?;
        guilds.insert(&ctx, &g.name, guild_name)?;
        let guild = world.add_guild(guild_name);
        build_guild(&ctx, &mut world, guild, guild_name, g, bot_name, &user_id)?;
    }
    Ok(world)
}

/// Looks a user up by a name of the file (`what` names its role in errors).
type UserLookup<'a> =
    dyn Fn(&World, &Spanned<String>, &str) -> Result<Id<UserMarker>, FileError> + 'a;

fn build_guild(
    ctx: &Ctx<'_>,
    world: &mut World,
    guild: Id<GuildMarker>,
    guild_name: &str,
    g: &RawGuild,
    bot_name: &str,
    user_id: &UserLookup<'_>,
) -> Result<(), FileError> {
    let bot = world.bot_user_id();
    let scope = |what: &str| format!("{what} of guild {guild_name:?}");

    // Channels.
    let mut channels = Unique::new("channel", scope("the channels"));
    let mut channel_ids = Vec::with_capacity(g.channels.len());
    for c in &g.channels {
        let name = ctx.name(&c.name, "a channel's")?;
        let name = name.strip_prefix('#').unwrap_or(name);
        channels.insert(ctx, &c.name, name)?;
        let id = match c.kind.as_ref().map(|k| (k, k.get_ref().as_str())) {
            None | Some((_, "text")) => world.add_text_channel(guild, name),
            Some((_, "voice")) => world.add_voice_channel(guild, name),
            Some((_, "stage")) => world.add_stage_channel(guild, name),
            Some((at, other)) => {
                return Err(ctx.err(
                    at,
                    format!(
                        "channel {name:?}: unknown type {other:?}: use \"text\" (the default), \
                         \"voice\" or \"stage\""
                    ),
                ));
            }
        };
        channel_ids.push(id);
    }

    // Roles.
    let mut roles: HashMap<&str, Id<RoleMarker>> = HashMap::new();
    let mut role_names = Unique::new("role", scope("the roles"));
    for r in &g.roles {
        let name = ctx.name(&r.name, "a role's")?;
        if name == "@everyone" {
            return Err(ctx.err(
                &r.name,
                "role \"@everyone\" is implicit in every guild (with the sandbox's default \
                 permissions): remove it from roles = [...]",
            ));
        }
        role_names.insert(ctx, &r.name, name)?;
        let permissions = match &r.permissions {
            Some(p) => permissions(ctx, p)?,
            None => Permissions::empty(),
        };
        roles.insert(name, world.add_role(guild, name, permissions));
    }
    let role_list = || names_hint(g.roles.iter().map(|r| r.name.get_ref().as_str()));

    // The bot, first (as in `World::demo`), unless listed or left out.
    let bot_listed = g.members.iter().find(|m| m.user.get_ref() == bot_name);
    let bot_member = g.bot_member.as_ref().is_none_or(|b| *b.get_ref());
    match (bot_member, bot_listed) {
        (false, Some(m)) => {
            return Err(ctx.err(
                &m.user,
                format!(
                    "the bot {bot_name:?} is listed in members of guild {guild_name:?}, which \
                     says bot_member = false: remove one of them"
                ),
            ));
        }
        (true, None) => {
            let role = match roles.get(BOT_ROLE) {
                Some(&role) => role,
                None => world.add_role(guild, BOT_ROLE, Permissions::ADMINISTRATOR),
            };
            world.add_member(guild, bot, &[role]);
        }
        (true, Some(_)) | (false, None) => {}
    }

    // Members.
    let mut members = Unique::new("member", scope("the members"));
    for m in &g.members {
        let user = user_id(world, &m.user, "member")?;
        members.insert(ctx, &m.user, m.user.get_ref())?;
        let mut ids = Vec::with_capacity(m.roles.len());
        let mut seen = HashSet::new();
        for role in &m.roles {
            let name = role.get_ref().as_str();
            if name == "@everyone" {
                return Err(ctx.err(
                    role,
                    format!(
                        "member {:?}: \"@everyone\" is implicit: remove it from roles = [...]",
                        m.user.get_ref()
                    ),
                ));
            }
            let Some(&id) = roles.get(name) else {
                return Err(ctx.err(
                    role,
                    format!(
                        "member {:?}: role {name:?} is not a role of guild {guild_name:?} (its \
                         roles: {}): add {{ name = {name:?} }} to its roles = [...]",
                        m.user.get_ref(),
                        role_list()
                    ),
                ));
            };
            if seen.insert(id) {
                ids.push(id);
            }
        }
        world.add_member(guild, user, &ids);
    }

    // Generated members.
    if let Some(generated) = &g.generated_members {
        let n = *generated.get_ref();
        if n > MAX_GENERATED {
            return Err(ctx.err(
                generated,
                format!("generated_members = {n}: at most {MAX_GENERATED} per guild"),
            ));
        }
        let listed: HashSet<&str> = g
            .members
            .iter()
            .map(|m| m.user.get_ref().as_str())
            .collect();
        for k in 1..=n {
            let name = format!("member-{k}");
            if listed.contains(name.as_str()) {
                continue;
            }
            let user = match world.user_id(&name) {
                Some(user) => user,
                None => world.add_user(&name),
            };
            world.add_member(guild, user, &[]);
        }
    }

    // Owner.
    if let Some(owner) = &g.owner {
        let user = user_id(world, owner, "owner")?;
        if !g
            .members
            .iter()
            .any(|m| m.user.get_ref() == owner.get_ref())
        {
            return Err(ctx.err(
                owner,
                format!(
                    "owner {:?} is not a member of guild {guild_name:?}: add {{ user = {:?} }} to \
                     its members = [...]",
                    owner.get_ref(),
                    owner.get_ref()
                ),
            ));
        }
        world.set_owner(guild, user);
    }

    // Channel overwrites, once roles and members exist.
    for (c, &channel) in g.channels.iter().zip(&channel_ids) {
        for o in &c.overwrites {
            let overwrite = o.get_ref();
            let allow = match &overwrite.allow {
                Some(p) => permissions(ctx, p)?,
                None => Permissions::empty(),
            };
            let deny = match &overwrite.deny {
                Some(p) => permissions(ctx, p)?,
                None => Permissions::empty(),
            };
            match (&overwrite.role, &overwrite.user) {
                (Some(role), None) => {
                    let name = role.get_ref().as_str();
                    let id = if name == "@everyone" {
                        Id::new(guild.get())
                    } else {
                        *roles.get(name).ok_or_else(|| {
                            ctx.err(
                                role,
                                format!(
                                    "channel {:?}: overwrite for role {name:?}, which is not a \
                                     role of guild {guild_name:?} (its roles: \"@everyone\", {})",
                                    c.name.get_ref(),
                                    role_list()
                                ),
                            )
                        })?
                    };
                    world.set_role_overwrite(channel, id, allow, deny);
                }
                (None, Some(user)) => {
                    let id = user_id(world, user, "overwrite")?;
                    world.set_member_overwrite(channel, id, allow, deny);
                }
                _ => {
                    return Err(ctx.err(
                        o,
                        format!(
                            "channel {:?}: an overwrite names either a role or a user: \
                             {{ role = \"Member\", deny = [\"SEND_MESSAGES\"] }}",
                            c.name.get_ref()
                        ),
                    ));
                }
            }
        }
    }
    if let Some(system) = &g.system_channel {
        let name = system.get_ref().trim_start_matches('#');
        let index = g
            .channels
            .iter()
            .position(|c| c.name.get_ref().trim_start_matches('#') == name)
            .ok_or_else(|| {
                ctx.err(
                    system,
                    format!(
                        "system_channel {name:?} is not a channel of guild {guild_name:?}: add \
                         {{ name = {name:?} }} to its channels = [...]"
                    ),
                )
            })?;
        world.set_system_channel(guild, channel_ids[index]);
    }

    // Emojis and stickers.
    let mut emojis = Unique::new("emoji", scope("the emojis"));
    for e in &g.emojis {
        let name = ctx.name(e, "an emoji's")?;
        emojis.insert(ctx, e, name)?;
        world.add_emoji(guild, name);
    }
    let mut stickers = Unique::new("sticker", scope("the stickers"));
    for s in &g.stickers {
        let name = ctx.name(s, "a sticker's")?;
        stickers.insert(ctx, s, name)?;
        world.add_sticker(guild, name);
    }
    Ok(())
}

/// A role's `permissions`: Discord's bit set as an integer, or a list of
/// twilight `Permissions` names.
fn permissions(ctx: &Ctx<'_>, value: &Spanned<toml::Value>) -> Result<Permissions, FileError> {
    match value.get_ref() {
        toml::Value::Integer(bits) => u64::try_from(*bits)
            .ok()
            .and_then(Permissions::from_bits)
            .ok_or_else(|| {
                ctx.err(
                    value,
                    format!(
                        "permissions = {bits}: not a set of Discord permission bits (8 is \
                         ADMINISTRATOR; or write names: [\"BAN_MEMBERS\", ...])"
                    ),
                )
            }),
        toml::Value::Array(names) => {
            let mut permissions = Permissions::empty();
            for name in names {
                let Some(name) = name.as_str() else {
                    return Err(ctx.err(
                        value,
                        "permissions: write a list of names such as [\"BAN_MEMBERS\", \
                         \"KICK_MEMBERS\"]",
                    ));
                };
                let flag =
                    Permissions::from_name(&name.trim().to_ascii_uppercase()).ok_or_else(|| {
                        ctx.err(
                            value,
                            format!(
                                "permissions: unknown permission {name:?}: use the names of \
                                 twilight_model::guild::Permissions, such as \"BAN_MEMBERS\", \
                                 \"MANAGE_MESSAGES\" or \"ADMINISTRATOR\""
                            ),
                        )
                    })?;
                permissions |= flag;
            }
            Ok(permissions)
        }
        _ => Err(ctx.err(
            value,
            "permissions: write an integer (Discord's bit set, 8 = ADMINISTRATOR) or a list of \
             names such as [\"BAN_MEMBERS\", \"KICK_MEMBERS\"]",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> FileError {
        match world_from_toml(text) {
            Ok(_) => panic!("expected an error for:\n{text}"),
            Err(e) => e,
        }
    }

    const GOOD: &str = r#"
bot = "my-bot"
users = ["mod", "alice", "bob", "carol", "dave"]
refuse_dms = ["carol"]

[[guilds]]
name = "Herald Test"
owner = "mod"
channels = [
    { name = "general" },
    { name = "Voice", type = "voice" },
    { name = "Stage", type = "stage" },
]
roles = [
    { name = "Member" },
    { name = "Moderator", permissions = ["BAN_MEMBERS", "kick_members"] },
    { name = "Admin", permissions = 8 },
]
members = [
    { user = "mod", roles = ["Member", "Moderator"] },
    { user = "alice", roles = ["Member"] },
    { user = "bob" },
]
emojis = ["party"]
stickers = ["wave"]

[[guilds]]
name = "Big Guild"
channels = [{ name = "lobby" }]
members = [{ user = "alice" }]
generated_members = 300

[[guilds]]
name = "No Bot"
bot_member = false
members = [{ user = "dave" }]
"#;

    #[test]
    fn good_world() {
        let w = world_from_toml(GOOD).unwrap();
        let bot = w.bot_user_id();
        assert_eq!(w.user_by_name("my-bot").unwrap().id, bot.get());
        let g = w.guild_id("Herald Test").unwrap();
        let gr = w.guild(g.get()).unwrap();
        assert_eq!(gr.owner_id, Some(w.user_id("mod").unwrap().get()));
        let kinds: Vec<(&str, u8)> = gr
            .channels
            .iter()
            .map(|c| (c.name.as_str(), c.kind))
            .collect();
        assert_eq!(kinds, [("general", 0), ("Voice", 2), ("Stage", 13)]);
        let moderator = gr.roles.iter().find(|r| r.name == "Moderator").unwrap();
        assert_eq!(
            moderator.permissions,
            Permissions::BAN_MEMBERS | Permissions::KICK_MEMBERS
        );
        let admin = gr.roles.iter().find(|r| r.name == "Admin").unwrap();
        assert_eq!(admin.permissions, Permissions::ADMINISTRATOR);
        // The bot first, with the added Herald role, as in World::demo.
        assert_eq!(gr.members[0].user_id, bot.get());
        let herald = gr.roles.iter().find(|r| r.name == "Herald").unwrap();
        assert_eq!(gr.members[0].roles, [herald.id]);
        assert_eq!(gr.members.len(), 4);
        let m = w.member(g.get(), w.user_id("mod").unwrap().get()).unwrap();
        assert_eq!(m.roles.len(), 2);
        assert!(w.user_by_name("carol").unwrap().refuses_dms);
        assert!(w.emoji_id("party").is_some());
        assert!(w.sticker_id("wave").is_some());

        let big = w.guild(w.guild_id("Big Guild").unwrap().get()).unwrap();
        // The bot, alice and 300 generated members.
        assert_eq!(big.members.len(), 302);
        assert!(w.user_id("member-300").is_some());
        assert!(w.user_id("member-301").is_none());
        // alice is the first human member: the owner.
        assert_eq!(big.owner_id, Some(w.user_id("alice").unwrap().get()));

        let no_bot = w.guild(w.guild_id("No Bot").unwrap().get()).unwrap();
        assert_eq!(no_bot.members.len(), 1);
        assert_eq!(w.bot_guilds().count(), 2);
    }

    #[test]
    fn same_world_as_the_rust_api() {
        let from_file = world_from_toml(
            r#"
users = ["alice"]
[[guilds]]
name = "G"
channels = [{ name = "general" }]
roles = [{ name = "Herald", permissions = 8 }, { name = "Member" }]
members = [{ user = "alice", roles = ["Member"] }]
"#,
        )
        .unwrap();
        let mut w = World::new("herald-bot");
        let alice = w.add_user("alice");
        let g = w.add_guild("G");
        w.add_text_channel(g, "general");
        let herald = w.add_role(g, "Herald", Permissions::ADMINISTRATOR);
        let member = w.add_role(g, "Member", Permissions::empty());
        w.add_member(g, w.bot_user_id(), &[herald]);
        w.add_member(g, alice, &[member]);
        for name in ["G", "general", "Herald", "Member", "alice", "herald-bot"] {
            assert_eq!(
                format!(
                    "{:?}",
                    (
                        from_file.guild_id(name),
                        from_file.channel_id(name),
                        from_file.role_id(name),
                        from_file.user_id(name)
                    )
                ),
                format!(
                    "{:?}",
                    (
                        w.guild_id(name),
                        w.channel_id(name),
                        w.role_id(name),
                        w.user_id(name)
                    )
                ),
                "{name}"
            );
        }
        let (a, b) = (from_file.guild(g.get()).unwrap(), w.guild(g.get()).unwrap());
        let members = |g: &crate::core::world::GuildRec| {
            g.members
                .iter()
                .map(|m| (m.user_id, m.roles.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(members(a), members(b));
    }

    #[test]
    fn defaults() {
        let w = world_from_toml("").unwrap();
        assert_eq!(w.user_names(), ["herald-bot"]);
        assert!(w.guilds.is_empty());
    }

    #[test]
    fn syntax_and_type_errors_name_the_line() {
        let e = err("users = [\"alice\"]\n[[guilds]\nname = \"G\"\n");
        assert_eq!(e.line(), Some(2), "{e}");
        assert!(e.to_string().starts_with("world:2: "), "{e}");

        let e = err("users = [\"alice\"]\n\n[[guilds]]\nname = 5\n");
        assert_eq!(e.line(), Some(4), "{e}");
        assert!(e.message().contains("string"), "{e}");
    }

    #[test]
    fn unknown_keys_are_errors() {
        let e = err("users = []\nuser = [\"x\"]\n");
        assert_eq!(e.line(), Some(2), "{e}");
        assert!(e.message().contains("unknown field `user`"), "{e}");

        let e = err("[[guilds]]\nname = \"G\"\nchannels = [{ name = \"a\", kind = \"voice\" }]\n");
        assert_eq!(e.line(), Some(3), "{e}");
        assert!(e.message().contains("unknown field `kind`"), "{e}");
    }

    #[test]
    fn member_not_a_user() {
        let text = "users = [\"alice\"]\n\n[[guilds]]\nname = \"G\"\nmembers = [\n  { user = \"alice\" },\n  { user = \"carol\" },\n]\n";
        let e = err(text);
        assert_eq!(e.line(), Some(7), "{e}");
        assert!(
            e.to_string()
                .starts_with("world:7: member \"carol\" is not a user: add it to users = [...]"),
            "{e}"
        );
    }

    #[test]
    fn member_role_not_in_guild() {
        let text = "users = [\"alice\"]\n[[guilds]]\nname = \"G\"\nroles = [{ name = \"Member\" }]\nmembers = [{ user = \"alice\", roles = [\"Mod\"] }]\n";
        let e = err(text);
        assert_eq!(e.line(), Some(5), "{e}");
        assert!(
            e.message()
                .contains("role \"Mod\" is not a role of guild \"G\""),
            "{e}"
        );
        assert!(e.message().contains("add { name = \"Mod\" }"), "{e}");
    }

    #[test]
    fn unknown_channel_type() {
        let text = "[[guilds]]\nname = \"G\"\nchannels = [\n { name = \"general\" },\n { name = \"v\", type = \"vocie\" },\n]\n";
        let e = err(text);
        assert_eq!(e.line(), Some(5), "{e}");
        assert!(e.message().contains("unknown type \"vocie\""), "{e}");
    }

    #[test]
    fn duplicates() {
        let e = err("users = [\"alice\",\n \"alice\"]\n");
        assert_eq!(e.line(), Some(2), "{e}");
        assert!(
            e.message().contains("user \"alice\" is listed twice"),
            "{e}"
        );

        let e = err("users = [\"herald-bot\"]\n");
        assert_eq!(e.line(), Some(1), "{e}");
        assert!(e.message().contains("the bot's name"), "{e}");

        let e = err("[[guilds]]\nname = \"G\"\n[[guilds]]\nname = \"G\"\n");
        assert_eq!(e.line(), Some(4), "{e}");
        assert!(e.message().contains("guild \"G\" is listed twice"), "{e}");

        let e =
            err("[[guilds]]\nname = \"G\"\nchannels = [{ name = \"a\" },\n { name = \"a\" }]\n");
        assert_eq!(e.line(), Some(4), "{e}");
        assert!(e.message().contains("channel \"a\" is listed twice"), "{e}");

        let e = err("[[guilds]]\nname = \"G\"\nroles = [{ name = \"R\" },\n { name = \"R\" }]\n");
        assert_eq!(e.line(), Some(4), "{e}");

        let e = err(
            "users = [\"a\"]\n[[guilds]]\nname = \"G\"\nmembers = [{ user = \"a\" },\n { user = \"a\" }]\n",
        );
        assert_eq!(e.line(), Some(5), "{e}");
        assert!(e.message().contains("member \"a\" is listed twice"), "{e}");

        let e = err("[[guilds]]\nname = \"G\"\nemojis = [\"x\",\n \"x\"]\n");
        assert_eq!(e.line(), Some(4), "{e}");
    }

    #[test]
    fn other_semantic_errors() {
        let e = err("[[guilds]]\nname = \"G\"\nroles = [{ name = \"@everyone\" }]\n");
        assert_eq!(e.line(), Some(3), "{e}");
        assert!(e.message().contains("implicit"), "{e}");

        let e =
            err("[[guilds]]\nname = \"G\"\nroles = [{ name = \"R\", permissions = [\"FLY\"] }]\n");
        assert_eq!(e.line(), Some(3), "{e}");
        assert!(e.message().contains("unknown permission \"FLY\""), "{e}");

        let e = err("[[guilds]]\nname = \"G\"\nroles = [{ name = \"R\", permissions = -1 }]\n");
        assert_eq!(e.line(), Some(3), "{e}");

        let e = err("users = [\"a\"]\n[[guilds]]\nname = \"G\"\nowner = \"a\"\n");
        assert_eq!(e.line(), Some(4), "{e}");
        assert!(e.message().contains("owner \"a\" is not a member"), "{e}");

        let e = err("[[guilds]]\nname = \"G\"\nowner = \"zed\"\n");
        assert_eq!(e.line(), Some(3), "{e}");
        assert!(e.message().contains("owner \"zed\" is not a user"), "{e}");

        let e = err("refuse_dms = [\"zed\"]\n");
        assert_eq!(e.line(), Some(1), "{e}");

        let e = err("[[guilds]]\nname = \"\"\n");
        assert_eq!(e.line(), Some(2), "{e}");
        assert!(e.message().contains("empty"), "{e}");

        let e = err("[[guilds]]\nname = \"G\"\ngenerated_members = 1000000\n");
        assert_eq!(e.line(), Some(3), "{e}");

        let e = err(
            "[[guilds]]\nname = \"G\"\nbot_member = false\nmembers = [{ user = \"herald-bot\" }]\n",
        );
        assert_eq!(e.line(), Some(4), "{e}");
    }

    #[test]
    fn the_bot_listed_as_a_member_keeps_its_roles() {
        let w = world_from_toml(
            "[[guilds]]\nname = \"G\"\nroles = [{ name = \"Bot\" }]\nmembers = [{ user = \"herald-bot\", roles = [\"Bot\"] }]\n",
        )
        .unwrap();
        let g = w.guild(w.guild_id("G").unwrap().get()).unwrap();
        assert_eq!(g.members.len(), 1);
        assert_eq!(g.members[0].roles, [w.role_id("Bot").unwrap().get()]);
        assert!(w.role_id("Herald").is_none());
    }
}
