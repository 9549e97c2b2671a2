//! Polls: actors posting polls (a message with a `poll`; the bot posts them
//! through `POST /channels/{c}/messages`), voting and taking votes back
//! (MESSAGE_POLL_VOTE_ADD and _REMOVE, intent GUILD_MESSAGE_POLLS in
//! guilds, DIRECT_MESSAGE_POLLS in DMs), and the voters of an answer
//! (`GET /channels/{c}/polls/{m}/answers/{a}`).

use serde::Serialize;
use twilight_model::{
    gateway::{
        Intents,
        payload::incoming::{MessagePollVoteAdd, MessagePollVoteRemove},
    },
    id::{
        Id,
        marker::{ChannelMarker, MessageMarker},
    },
    user::User,
};

use crate::{
    core::{
        actor::Actor,
        dispatch::EventKind,
        ids::in_secs,
        ops::OpError,
        rest::{Answer, Call, Reply, Route},
        state::State,
        transcript::{MAX_TITLE, clip, place, user},
        wire,
        world::{PollRec, World},
    },
    features::messages::{self, NewMessage},
};

/// `dispatch_raw` sent these to every session before the sandbox modelled
/// polls; raw ones still go to every session.
pub(crate) const MESSAGE_POLL_VOTE_ADD: EventKind = EventKind::needs_in(
    "MESSAGE_POLL_VOTE_ADD",
    Intents::GUILD_MESSAGE_POLLS,
    Intents::DIRECT_MESSAGE_POLLS,
)
.unfiltered_when_raw();
pub(crate) const MESSAGE_POLL_VOTE_REMOVE: EventKind = EventKind::needs_in(
    "MESSAGE_POLL_VOTE_REMOVE",
    Intents::GUILD_MESSAGE_POLLS,
    Intents::DIRECT_MESSAGE_POLLS,
)
.unfiltered_when_raw();

pub(crate) const EVENTS: &[EventKind] = &[MESSAGE_POLL_VOTE_ADD, MESSAGE_POLL_VOTE_REMOVE];

pub(crate) const ROUTES: &[Route] = &[Route::new(
    "GET",
    "/channels/{channel}/polls/{message}/answers/{answer}",
    on_voters,
)];

/// The poll of a message and the message's guild.
fn poll_of(state: &State, channel: u64, message: u64) -> Result<(Option<u64>, &PollRec), OpError> {
    let guild = state.text_channel(channel)?;
    let m = state
        .world
        .message(channel, message)
        .ok_or(OpError::UnknownMessage(message))?;
    let poll = m
        .poll
        .as_ref()
        .ok_or_else(|| OpError::Invalid(format!("message {message} has no poll")))?;
    Ok((guild, poll))
}

/// `user` votes for `answer` (1-based): MESSAGE_POLL_VOTE_ADD. On a poll
/// that allows one answer, a vote for another answer first takes the old
/// one back (MESSAGE_POLL_VOTE_REMOVE), as Discord's client does. Nothing
/// if the vote is already there. Returns the answers taken back, and
/// whether the vote is new.
fn vote(
    state: &mut State,
    channel: u64,
    message: u64,
    user: u64,
    answer: u8,
) -> Result<(Vec<u8>, bool), OpError> {
    let (guild, poll) = poll_of(state, channel, message)?;
    if answer == 0 || usize::from(answer) > poll.answers.len() {
        return Err(OpError::Invalid(format!(
            "the poll has no answer {answer} (answers are 1 to {})",
            poll.answers.len()
        )));
    }
    if poll.votes.contains(&(answer, user)) {
        return Ok((Vec::new(), false));
    }
    let replaced: Vec<u8> = if poll.allow_multiselect {
        Vec::new()
    } else {
        poll.votes
            .iter()
            .filter(|(_, u)| *u == user)
            .map(|(a, _)| *a)
            .collect()
    };
    for old in &replaced {
        unvote(state, channel, message, user, *old)?;
    }
    if let Some(p) = state
        .world
        .message_mut(channel, message)
        .and_then(|m| m.poll.as_mut())
    {
        p.votes.push((answer, user));
    }
    let d = MessagePollVoteAdd {
        answer_id: answer,
        channel_id: Id::new(channel),
        guild_id: guild.map(Id::new),
        message_id: Id::new(message),
        user_id: Id::new(user),
    };
    state.send(&MESSAGE_POLL_VOTE_ADD, guild, &d);
    Ok((replaced, true))
}

/// `user` takes back a vote: MESSAGE_POLL_VOTE_REMOVE. Nothing if there is
/// no such vote.
fn unvote(
    state: &mut State,
    channel: u64,
    message: u64,
    user: u64,
    answer: u8,
) -> Result<bool, OpError> {
    let (guild, poll) = poll_of(state, channel, message)?;
    if !poll.votes.contains(&(answer, user)) {
        return Ok(false);
    }
    if let Some(p) = state
        .world
        .message_mut(channel, message)
        .and_then(|m| m.poll.as_mut())
    {
        p.votes.retain(|v| *v != (answer, user));
    }
    let d = MessagePollVoteRemove {
        answer_id: answer,
        channel_id: Id::new(channel),
        guild_id: guild.map(Id::new),
        message_id: Id::new(message),
        user_id: Id::new(user),
    };
    state.send(&MESSAGE_POLL_VOTE_REMOVE, guild, &d);
    Ok(true)
}

/// The text of an answer.
fn answer_text(state: &State, channel: u64, message: u64, answer: u8) -> String {
    poll_of(state, channel, message)
        .ok()
        .and_then(|(_, p)| p.answers.get(usize::from(answer).wrapping_sub(1)).cloned())
        .unwrap_or_else(|| format!("answer {answer}"))
}

/// `bob voted "Pizza" in a poll in #general`, `bob took back their vote
/// "Pizza" in a poll in #general`.
fn vote_line(world: &World, who: u64, channel: u64, answer: &str, add: bool) -> String {
    format!(
        "{} {} \"{}\" in a poll {}",
        user(world, who),
        if add { "voted" } else { "took back their vote" },
        clip(answer, MAX_TITLE),
        place(world, who, channel)
    )
}

impl Actor {
    /// Posts a poll in `channel`: a message with `poll` (the question, the
    /// answers with ids 1, 2, ..., one answer per voter, 24 hours) through
    /// MESSAGE_CREATE. Members vote with [`vote`](Self::vote).
    ///
    /// # Panics
    ///
    /// If the channel is unknown or a voice channel, or there are no
    /// answers.
    #[track_caller]
    pub fn post_poll(
        &self,
        channel: Id<ChannelMarker>,
        question: &str,
        answers: &[&str],
    ) -> Id<MessageMarker> {
        let new = NewMessage {
            poll: Some(PollRec {
                question: question.to_owned(),
                answers: answers.iter().map(|a| (*a).to_owned()).collect(),
                allow_multiselect: false,
                expiry: Some(in_secs(24 * 60 * 60)),
                votes: Vec::new(),
            }),
            ..NewMessage::default()
        };
        Id::new(self.run("post a poll", |state, who| {
            if answers.is_empty() {
                return Err(OpError::Invalid("a poll needs at least one answer".into()));
            }
            messages::post_as_user(state, channel.get(), who, new)
        }))
    }

    /// Votes for answer `answer` (1-based) of the poll on `message`:
    /// MESSAGE_POLL_VOTE_ADD (intent GUILD_MESSAGE_POLLS, DIRECT_MESSAGE_POLLS
    /// in DMs). A vote for another answer of a one-answer poll takes the
    /// first back (MESSAGE_POLL_VOTE_REMOVE first). Nothing if already
    /// voted so.
    ///
    /// # Panics
    ///
    /// If the message is not in that channel, has no poll, or the poll no
    /// such answer.
    #[track_caller]
    pub fn vote(&self, channel: Id<ChannelMarker>, message: Id<MessageMarker>, answer: u8) {
        self.run("vote", |state, who| {
            let (taken_back, added) = vote(state, channel.get(), message.get(), who, answer)?;
            let mut lines: Vec<(u8, bool)> = taken_back.into_iter().map(|a| (a, false)).collect();
            if added {
                lines.push((answer, true));
            }
            for (answer, add) in lines {
                let text = answer_text(state, channel.get(), message.get(), answer);
                let line = vote_line(&state.world, who, channel.get(), &text, add);
                state.note(line);
            }
            Ok(())
        });
    }

    /// Takes back a vote for answer `answer` of the poll on `message`:
    /// MESSAGE_POLL_VOTE_REMOVE (intents as [`vote`](Self::vote)). Nothing
    /// if there was no such vote.
    ///
    /// # Panics
    ///
    /// If the message is not in that channel or has no poll.
    #[track_caller]
    pub fn unvote(&self, channel: Id<ChannelMarker>, message: Id<MessageMarker>, answer: u8) {
        self.run("take back a vote", |state, who| {
            let text = answer_text(state, channel.get(), message.get(), answer);
            if unvote(state, channel.get(), message.get(), who, answer)? {
                let line = vote_line(&state.world, who, channel.get(), &text, false);
                state.note(line);
            }
            Ok(())
        });
    }
}

/// The voters of an answer, as Discord answers them. twilight-model has no
/// type for this body (twilight-http reads it as `GetAnswerVotersResponse`).
#[derive(Serialize)]
struct Voters {
    users: Vec<User>,
}

/// `GET /channels/{c}/polls/{m}/answers/{a}`.
fn on_voters(state: &mut State, call: &mut Call<'_>) -> Answer {
    let (Some(channel), Some(message)) = (call.id("channel"), call.id("message")) else {
        return Err(OpError::UnknownMessage(0).into());
    };
    let answer: u8 = call.param("answer").parse().unwrap_or(0);
    let (_, poll) = poll_of(state, channel, message)?;
    let users = poll
        .votes
        .iter()
        .filter(|(a, _)| *a == answer)
        .map(|(_, u)| wire::user(&state.world, *u))
        .collect();
    Ok(Reply::json(&Voters { users }))
}
