//! What `#[listener]`, `#[event]` and `#[derive(Event)]` generate, checked by dispatching events
//! through the router and looking at what the functions received.

mod common;

use std::sync::Mutex;

use herald::prelude::*;
use herald::testing::ContextExt as _;
use twilight_model::id::Id;
use twilight_model::id::marker::UserMarker;

/// A custom event, as in disnake's level-up example.
#[derive(Event, Debug, Clone, PartialEq)]
struct LevelUp {
    #[event(key)]
    user: Id<UserMarker>,
    old: u32,
    new: u32,
}

#[derive(Event, Debug)]
#[event(name = "xp_gained")]
struct Xp(#[event(key)] Id<UserMarker>, u32);

static LOG: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn log(line: String) {
    LOG.lock().unwrap().push(line);
}

/// Gives XP for every message and dispatches a level-up every 3 messages.
#[listener(name = "xp", sequential)]
async fn give_xp(ctx: Context, msg: &MessageCreate) -> herald::Result {
    let count = msg.id.get() as u32;
    ctx.dispatch(Xp(msg.author.id, 10));
    if count.is_multiple_of(3) {
        ctx.dispatch(LevelUp {
            user: msg.author.id,
            old: count / 3 - 1,
            new: count / 3,
        });
    }
    Ok(())
}

#[event]
async fn on_level_up(_ctx: Context, up: &LevelUp) -> herald::Result {
    log(format!("level {} -> {} for {}", up.old, up.new, up.user));
    Ok(())
}

#[listener]
async fn congratulate(up: &LevelUp) {
    log(format!("congrats {}", up.user));
}

#[tokio::test]
async fn custom_events_reach_event_handlers_listeners_and_keyed_waiters() {
    let bot = Bot::builder()
        .listener(give_xp)
        .event(on_level_up)
        .listener(congratulate)
        .build()
        .unwrap();
    let ctx = bot.context();
    let names: Vec<_> = ctx
        .listeners()
        .into_iter()
        .map(|l| format!("{}:{}", l.name, l.event))
        .collect();
    assert!(names.contains(&"xp:message".to_owned()), "{names:?}");
    assert!(
        names.contains(&"on_level_up:level_up".to_owned()),
        "{names:?}"
    );

    let xp_of_user_2 = ctx.wait_for::<Xp>().on(Id::<UserMarker>::new(2)).register();
    let second_level = ctx.wait_for::<LevelUp>().check(|up| up.new == 2).register();
    for id in 1..=6 {
        ctx.dispatch(common::message(id, 200, if id == 4 { 2 } else { 1 }, "hi"));
    }
    assert_eq!(xp_of_user_2.await.unwrap().1, 10);
    assert_eq!(
        *second_level.await.unwrap(),
        LevelUp {
            user: Id::new(1),
            old: 1,
            new: 2
        }
    );
    ctx.idle().await;

    let mut log = LOG.lock().unwrap().clone();
    log.sort();
    assert_eq!(
        log,
        [
            "congrats 1",
            "congrats 1",
            "level 0 -> 1 for 1",
            "level 1 -> 2 for 1"
        ]
    );
    assert_eq!(LevelUp::NAME, "level_up");
    assert_eq!(Xp::NAME, "xp_gained");
}

static ONCE: Mutex<Vec<u64>> = Mutex::new(Vec::new());

#[listener(once, name = "first")]
async fn first(msg: &MessageCreate) {
    ONCE.lock().unwrap().push(msg.id.get());
}

#[tokio::test]
async fn listener_options_apply() {
    let listener = IntoListener::into_listener(first);
    assert_eq!(
        (listener.listener_name(), listener.event_name()),
        ("first", "message")
    );
    let bot = Bot::builder().listener(first).build().unwrap();
    for id in 1..=3 {
        bot.context().dispatch(common::message(id, 200, 1, "x"));
    }
    bot.context().idle().await;
    assert_eq!(*ONCE.lock().unwrap(), [1]);
}

/// The generated item is a function: its name stays free for local variables, and the body may
/// shadow it.
#[listener]
async fn shout(_ctx: Context, msg: &MessageCreate) -> Result<(), std::fmt::Error> {
    let shout = msg.content.to_uppercase();
    if shout.is_empty() {
        Err(std::fmt::Error)
    } else {
        Ok(())
    }
}

#[tokio::test]
async fn the_name_stays_usable_for_variables() {
    let shout = shout();
    assert_eq!(
        (shout.listener_name(), shout.event_name()),
        ("shout", "message")
    );
    let bot = Bot::builder().listener(shout).build().unwrap();
    bot.context().dispatch(common::message(1, 200, 1, ""));
    bot.context().idle().await;
}

mod renamed {
    // What a crate that renamed its `herald` dependency writes.
    extern crate herald as my_herald;
    use my_herald::prelude::*;

    #[derive(Event)]
    #[event(crate = "my_herald")]
    pub(super) struct Tick;

    #[my_herald::listener(crate = "my_herald")]
    pub(super) async fn count_ticks(_tick: &Tick) {}

    #[my_herald::event(crate = "my_herald")]
    pub(super) async fn on_tick(_ctx: Context, _tick: &Tick) {}
}

#[test]
fn the_crate_option_names_a_renamed_dependency() {
    let bot = Bot::builder()
        .listener(renamed::count_ticks)
        .event(renamed::on_tick)
        .build()
        .unwrap();
    let listeners = bot.context().listeners();
    assert_eq!(listeners.len(), 2);
    assert!(listeners.iter().all(|l| l.event == "tick"));
}
