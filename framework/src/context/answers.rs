//! Discord's three seconds: while a declared command runs, herald knows whether it has answered,
//! defers it when it has not in time, and turns a later `ctx.reply` into an edit of the deferred
//! answer. Also the bot's owners, for `owner_only` commands.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use twilight_model::id::Id;
use twilight_model::id::marker::{InteractionMarker, UserMarker};

use super::Context;
use crate::Error;
use crate::event::interaction::ApplicationCommand;
use crate::report::{Throttles, suppressed_note, tell};

/// Where an interaction's answer stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Answer {
    /// Nothing sent yet.
    Pending,
    /// Deferred (by the command or by herald): answers edit the deferred message.
    Deferred,
    /// Answered.
    Answered,
}

/// One tracked interaction: its state, held across the request that changes it, so that an
/// answer and herald's deferral never race.
pub(crate) type Slot = Arc<tokio::sync::Mutex<Answer>>;

/// The settings and state of declared commands, shared by every clone of a context.
#[derive(Debug)]
pub(crate) struct Answers {
    /// Defer a command that has not answered after this long (`None`: never).
    pub(crate) auto_defer: Option<Duration>,
    slots: Mutex<HashMap<Id<InteractionMarker>, Slot>>,
    /// The bot's owners: given to the builder, or read from the application when first needed.
    pub(crate) owners: tokio::sync::OnceCell<Arc<[Id<UserMarker>]>>,
    /// The auto-defer and refusal lines, a few times a minute per command.
    pub(crate) said: Throttles<String>,
}

impl Answers {
    pub(crate) fn new(auto_defer: Option<Duration>, owners: Option<Vec<Id<UserMarker>>>) -> Self {
        Answers {
            auto_defer,
            slots: Mutex::default(),
            said: Throttles::new(Duration::from_secs(60), 3),
            owners: owners.map_or_else(tokio::sync::OnceCell::new, |owners| {
                tokio::sync::OnceCell::new_with(Some(owners.into()))
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Id<InteractionMarker>, Slot>> {
        self.slots
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Where the answer to `id` stands, locked until the guard is dropped; `None` when herald
    /// does not track it (not a declared command's, or auto-defer is off).
    pub(crate) async fn state(
        &self,
        id: Id<InteractionMarker>,
    ) -> Option<tokio::sync::OwnedMutexGuard<Answer>> {
        let slot = self.lock().get(&id).cloned()?;
        Some(slot.lock_owned().await)
    }
}

/// Stops the auto-defer timer when the command ends (also by a panic).
struct AbortOnDrop(tokio::task::AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Forgets a tracked interaction when its command ends, also by a panic.
struct Forget<'a>(&'a Answers, Id<InteractionMarker>);

impl Drop for Forget<'_> {
    fn drop(&mut self) {
        self.0.lock().remove(&self.1);
    }
}

impl Context {
    pub(crate) fn answers(&self) -> &Answers {
        &self.shared().answers
    }

    /// Runs `work` (a command's checks and handler) for `command`, deferring the answer when
    /// `work` has not answered within the auto-defer delay. `what` names the command in the log.
    ///
    /// The deferral is a task of its own, not a branch of `work`'s future: a handler that blocks
    /// its thread (a synchronous call, a busy loop) is still deferred in time, by another worker.
    pub(crate) async fn answering<R>(
        &self,
        command: &Arc<ApplicationCommand>,
        what: &str,
        work: impl Future<Output = R>,
    ) -> R {
        let answers = self.answers();
        let Some(after) = answers.auto_defer else {
            return work.await;
        };
        let slot: Slot = Arc::new(tokio::sync::Mutex::new(Answer::Pending));
        answers.lock().insert(command.id, Arc::clone(&slot));
        let _forget = Forget(answers, command.id);
        let timer = tokio::spawn({
            let (ctx, command, what) = (self.clone(), Arc::clone(command), what.to_owned());
            async move {
                tokio::time::sleep(after).await;
                ctx.auto_defer(&command, &slot, &what, after).await;
            }
        });
        // tokio puts a task spawned from a worker in that worker's LIFO slot, which other workers
        // cannot steal: were `work` to block this thread, the timer would wait for it. The next
        // spawn pushes the timer out to the worker's queue, where an idle worker (woken by that
        // push) takes it.
        drop(tokio::spawn(async {}));
        let _stop = AbortOnDrop(timer.abort_handle());
        work.await
    }

    /// Defers `command` if it is still pending after `after`.
    async fn auto_defer(
        &self,
        command: &ApplicationCommand,
        slot: &Slot,
        what: &str,
        after: Duration,
    ) {
        let mut state = slot.lock().await;
        if *state != Answer::Pending {
            return;
        }
        match self.send_defer_raw(command, false).await {
            Ok(()) => {
                *state = Answer::Deferred;
                if let Some(suppressed) = self.answers().said.allow(what.to_owned()) {
                    tell!(
                        WARN,
                        { command = what, },
                        format!(
                            "{what} had not answered after {after:?}: herald deferred it, and its \
                             reply will edit the deferred answer (defer early in slow commands, \
                             or tune BotBuilder::auto_defer){}",
                            suppressed_note(suppressed)
                        )
                    );
                }
            }
            // Answered without herald knowing (a request through `ctx.http()`): fine.
            Err(error) if api_code(&error) == Some(40060) => {
                *state = Answer::Answered;
            }
            Err(error) => tell!(
                WARN,
                { command = what, },
                format!("{what} had not answered after {after:?}, and deferring it failed: {error}")
            ),
        }
    }

    /// The bot's owners: those given to [`BotBuilder::owners`](crate::BotBuilder::owners), or
    /// the application's owner, or its team's members.
    ///
    /// # Errors
    ///
    /// [`Error::Http`] when reading the application fails.
    pub async fn owners(&self) -> Result<Arc<[Id<UserMarker>]>, Error> {
        self.answers()
            .owners
            .get_or_try_init(|| async {
                let application = self
                    .http()
                    .current_user_application()
                    .await
                    .map_err(|e| Error::http("reading the application's owners", &e))?
                    .model()
                    .await
                    .map_err(|e| Error::Internal(format!("reading the application: {e}")))?;
                let owners: Vec<Id<UserMarker>> = match application.team {
                    Some(team) => team.members.iter().map(|m| m.user.id).collect(),
                    None => application.owner.iter().map(|o| o.id).collect(),
                };
                Ok(owners.into())
            })
            .await
            .cloned()
    }
}

/// Discord's JSON error code of a refused request.
pub(crate) fn api_code(error: &twilight_http::Error) -> Option<u64> {
    match error.kind() {
        twilight_http::error::ErrorType::Response {
            error: twilight_http::api_error::ApiError::General(general),
            ..
        } => Some(general.code),
        _ => None,
    }
}
