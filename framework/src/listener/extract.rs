//! Parameters a listener takes after its event, filled in by herald for each call: [`Data<T>`],
//! the bot's state of type `T`. What they need is checked when the bot is built, so a listener
//! that takes state the bot was never given is a `build()` error naming both, not a panic.

use std::any::{Any, TypeId};
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use crate::context::Context;
use crate::error::BoxError;

/// A listener parameter herald fills in from the bot, after the event:
/// `async fn greet(ctx: Context, join: &MemberAdd, settings: Data<Settings>)`.
///
/// [`Data<T>`] is the one herald ships. `requirement()` says what the builder must have been
/// given; `build()` checks it for every listener.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a listener parameter",
    label = "not something herald can hand a listener",
    note = "after the event, a listener may take `Data<T>`: state given to the builder with `.data(T)`"
)]
pub trait FromContext: Sized + Send + 'static {
    /// What the bot must have been given for this parameter to exist; `None` when nothing is.
    fn requirement() -> Option<Requirement>;

    /// The parameter for one call. An error fails the call (reported like the listener's own);
    /// for listeners registered on the builder, `build()` has ruled it out.
    ///
    /// # Errors
    /// When what it needs is missing (a listener added while the bot runs, without its data).
    fn from_context(ctx: &Context) -> Result<Self, BoxError>;
}

/// What a listener parameter needs of the bot: a piece of state of one type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Requirement {
    pub(crate) type_id: TypeId,
    pub(crate) type_name: &'static str,
}

impl Requirement {
    /// The state of type `T`.
    pub fn data<T: Any>() -> Self {
        Requirement {
            type_id: TypeId::of::<T>(),
            type_name: std::any::type_name::<T>(),
        }
    }

    /// The type's name, as `std::any::type_name` gives it.
    pub fn type_name(&self) -> &'static str {
        self.type_name
    }
}

/// The bot's state of type `T`, given to the builder with
/// [`BotBuilder::data`](crate::BotBuilder::data): a database pool, settings, counters. A
/// listener takes it as a parameter after the event; it derefs to `T`.
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use herald_framework::prelude::*;
/// use herald_framework::event::gateway::MessageCreate;
///
/// #[derive(Default)]
/// struct Stats { messages: AtomicU64 }
///
/// async fn count(_msg: &MessageCreate, stats: Data<Stats>) {
///     stats.messages.fetch_add(1, Ordering::Relaxed);
/// }
///
/// let bot = Bot::builder().data(Stats::default()).listener(count).build();
/// assert!(bot.is_ok());
///
/// // Without `.data(Stats::default())`, `build()` says which listener needs what.
/// let error = Bot::builder().listener(count).build().unwrap_err();
/// assert!(error.to_string().contains("takes `Data<"));
/// ```
pub struct Data<T: ?Sized>(Arc<T>);

impl<T: ?Sized> Deref for Data<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: ?Sized> Clone for Data<T> {
    fn clone(&self) -> Self {
        Data(Arc::clone(&self.0))
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Data<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Data").field(&&*self.0).finish()
    }
}

impl<T: Any + Send + Sync> Data<T> {
    /// The `Arc` it holds.
    pub fn into_arc(self) -> Arc<T> {
        self.0
    }
}

impl<T: Any + Send + Sync> FromContext for Data<T> {
    fn requirement() -> Option<Requirement> {
        Some(Requirement::data::<T>())
    }

    fn from_context(ctx: &Context) -> Result<Self, BoxError> {
        ctx.data_arc::<T>().map(Data).ok_or_else(|| {
            format!(
                "no `{}` in the bot's data: give it to the builder with `.data(..)`",
                std::any::type_name::<T>()
            )
            .into()
        })
    }
}
