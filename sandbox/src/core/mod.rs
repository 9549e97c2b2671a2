//! The shared core every feature builds on: the world's base types and their
//! twilight forms, the state behind one mutex, the gateway (connections,
//! sessions, identify, resume), the dispatch fan-out with each event's
//! intents, the REST server and its route table, the transcript, what is
//! recorded, fault injection, and the [`Actor`](actor::Actor) and
//! [`Admin`](admin::Admin) types that features add their operations to.
//!
//! The core never names a feature: what it needs from them (the route
//! table, how a guild is rendered for GUILD_CREATE, what the bot's voice
//! command does) is handed to the servers when the sandbox starts
//! ([`rest::Routes`], [`gateway::Hooks`]). Its modules import each other
//! without cycles: `world` and the record, fault and transcript types at
//! the bottom, `state` on them, the servers, the fan-out and the handles
//! on `state`.

pub(crate) mod actor;
pub(crate) mod admin;
pub(crate) mod compress;
pub(crate) mod dispatch;
pub(crate) mod faults;
pub(crate) mod gateway;
pub(crate) mod ids;
pub(crate) mod inject;
pub(crate) mod observe;
pub(crate) mod ops;
pub(crate) mod records;
pub(crate) mod rest;
pub(crate) mod state;
pub(crate) mod transcript;
pub(crate) mod wire;
pub(crate) mod world;
