//! The function traits behind [`ListenerFunction`](super::ListenerFunction): blanket impls over
//! the listener shapes, `async fn(Context, &E)` and `async fn(&E)`, each optionally followed by up
//! to four parameters herald fills in ([`FromContext`], e.g. `Data<T>`).

use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;

use super::ListenerFunction;
use super::extract::{FromContext, Requirement};
use crate::context::Context;
use crate::error::BoxError;
use crate::event::Event;
use crate::router::table::{CallHandler, ListenerFuture};

/// What a listener may return: `()` or `Result<(), E>` for any `E: Into<BoxError>`.
#[diagnostic::on_unimplemented(
    message = "a listener cannot return `{Self}`",
    note = "return `()` or `herald::Result` (`Result<(), BoxError>`)"
)]
pub trait ListenerOutput: Send {
    /// The outcome as a `Result`.
    fn into_result(self) -> Result<(), BoxError>;
}

impl ListenerOutput for () {
    fn into_result(self) -> Result<(), BoxError> {
        Ok(())
    }
}

impl<E: Into<BoxError> + Send> ListenerOutput for Result<(), E> {
    fn into_result(self) -> Result<(), BoxError> {
        self.map_err(Into::into)
    }
}

/// `async fn(Context, &'a E)`: a function whose future may borrow the event for `'a`.
///
/// Implemented for every such `Fn`; the higher-ranked bound `for<'a> ListenerFn<'a, E>` is how
/// herald accepts `async fn`s that take the event by reference.
pub trait ListenerFn<'a, E: 'a>: Send + Sync + 'static {
    /// What the function returns.
    type Output: ListenerOutput;
    /// Its future.
    type Future: Future<Output = Self::Output> + Send + 'a;
    /// Calls it.
    fn call(&self, ctx: Context, event: &'a E) -> Self::Future;
}

impl<'a, E: 'a, F, Fut> ListenerFn<'a, E> for F
where
    F: Fn(Context, &'a E) -> Fut + Send + Sync + 'static,
    Fut: Future + Send + 'a,
    Fut::Output: ListenerOutput,
{
    type Output = Fut::Output;
    type Future = Fut;
    fn call(&self, ctx: Context, event: &'a E) -> Fut {
        self(ctx, event)
    }
}

/// `async fn(&'a E)`: a listener that does not need the [`Context`].
pub trait ListenerFnNoContext<'a, E: 'a>: Send + Sync + 'static {
    /// What the function returns.
    type Output: ListenerOutput;
    /// Its future.
    type Future: Future<Output = Self::Output> + Send + 'a;
    /// Calls it.
    fn call(&self, event: &'a E) -> Self::Future;
}

impl<'a, E: 'a, F, Fut> ListenerFnNoContext<'a, E> for F
where
    F: Fn(&'a E) -> Fut + Send + Sync + 'static,
    Fut: Future + Send + 'a,
    Fut::Output: ListenerOutput,
{
    type Output = Fut::Output;
    type Future = Fut;
    fn call(&self, event: &'a E) -> Fut {
        self(event)
    }
}

#[doc(hidden)]
pub struct WithContext<E>(PhantomData<fn(E)>);
#[doc(hidden)]
pub struct WithoutContext<E>(PhantomData<fn(E)>);
#[doc(hidden)]
pub struct CtxFn<F>(Arc<F>);
#[doc(hidden)]
pub struct EventFn<F>(Arc<F>);

impl<E: Event, F> ListenerFunction<WithContext<E>> for F
where
    F: for<'a> ListenerFn<'a, E>,
{
    type Event = E;
    type Handler = CtxFn<F>;
    fn into_handler(self) -> CtxFn<F> {
        CtxFn(Arc::new(self))
    }
}

impl<E: Event, F> ListenerFunction<WithoutContext<E>> for F
where
    F: for<'a> ListenerFnNoContext<'a, E>,
{
    type Event = E;
    type Handler = EventFn<F>;
    fn into_handler(self) -> EventFn<F> {
        EventFn(Arc::new(self))
    }
}

impl<E: Event, F: for<'a> ListenerFn<'a, E>> CallHandler<E, Context> for CtxFn<F> {
    fn call(&self, ctx: Context, event: Arc<E>) -> ListenerFuture {
        let f = Arc::clone(&self.0);
        Box::pin(async move { f.call(ctx, &event).await.into_result() })
    }
}

impl<E: Event, F: for<'a> ListenerFnNoContext<'a, E>> CallHandler<E, Context> for EventFn<F> {
    fn call(&self, _ctx: Context, event: Arc<E>) -> ListenerFuture {
        let f = Arc::clone(&self.0);
        Box::pin(async move { f.call(&event).await.into_result() })
    }
}

/// `async fn(Context, &'a E, X1, ..)`: a listener taking parameters herald fills in after the
/// event (`X` is their tuple).
pub trait ListenerFnWith<'a, E: 'a, X>: Send + Sync + 'static {
    /// What the function returns.
    type Output: ListenerOutput;
    /// Its future.
    type Future: Future<Output = Self::Output> + Send + 'a;
    /// Calls it.
    fn call(&self, ctx: Context, event: &'a E, extracted: X) -> Self::Future;
}

/// `async fn(&'a E, X1, ..)`: as [`ListenerFnWith`], without the [`Context`].
pub trait ListenerFnNoContextWith<'a, E: 'a, X>: Send + Sync + 'static {
    /// What the function returns.
    type Output: ListenerOutput;
    /// Its future.
    type Future: Future<Output = Self::Output> + Send + 'a;
    /// Calls it.
    fn call(&self, event: &'a E, extracted: X) -> Self::Future;
}

#[doc(hidden)]
pub struct WithContextAnd<E, X>(PhantomData<fn(E, X)>);
#[doc(hidden)]
pub struct WithoutContextAnd<E, X>(PhantomData<fn(E, X)>);
#[doc(hidden)]
pub struct CtxFnWith<F, X>(Arc<F>, PhantomData<fn(X)>);
#[doc(hidden)]
pub struct EventFnWith<F, X>(Arc<F>, PhantomData<fn(X)>);

/// The impls for one number of extracted parameters.
macro_rules! with_extracted {
    ($($x:ident),+) => {
        impl<'a, E: 'a, F, Fut, $($x),+> ListenerFnWith<'a, E, ($($x,)+)> for F
        where
            F: Fn(Context, &'a E, $($x),+) -> Fut + Send + Sync + 'static,
            Fut: Future + Send + 'a,
            Fut::Output: ListenerOutput,
        {
            type Output = Fut::Output;
            type Future = Fut;
            #[allow(non_snake_case)]
            fn call(&self, ctx: Context, event: &'a E, ($($x,)+): ($($x,)+)) -> Fut {
                self(ctx, event, $($x),+)
            }
        }

        impl<'a, E: 'a, F, Fut, $($x),+> ListenerFnNoContextWith<'a, E, ($($x,)+)> for F
        where
            F: Fn(&'a E, $($x),+) -> Fut + Send + Sync + 'static,
            Fut: Future + Send + 'a,
            Fut::Output: ListenerOutput,
        {
            type Output = Fut::Output;
            type Future = Fut;
            #[allow(non_snake_case)]
            fn call(&self, event: &'a E, ($($x,)+): ($($x,)+)) -> Fut {
                self(event, $($x),+)
            }
        }

        impl<E: Event, F, $($x: FromContext),+> ListenerFunction<WithContextAnd<E, ($($x,)+)>> for F
        where
            F: for<'a> ListenerFnWith<'a, E, ($($x,)+)>,
        {
            type Event = E;
            type Handler = CtxFnWith<F, ($($x,)+)>;
            fn into_handler(self) -> Self::Handler {
                CtxFnWith(Arc::new(self), PhantomData)
            }
            fn requirements() -> Vec<Requirement> {
                [$($x::requirement()),+].into_iter().flatten().collect()
            }
        }

        impl<E: Event, F, $($x: FromContext),+> ListenerFunction<WithoutContextAnd<E, ($($x,)+)>> for F
        where
            F: for<'a> ListenerFnNoContextWith<'a, E, ($($x,)+)>,
        {
            type Event = E;
            type Handler = EventFnWith<F, ($($x,)+)>;
            fn into_handler(self) -> Self::Handler {
                EventFnWith(Arc::new(self), PhantomData)
            }
            fn requirements() -> Vec<Requirement> {
                [$($x::requirement()),+].into_iter().flatten().collect()
            }
        }

        impl<E: Event, F, $($x: FromContext),+> CallHandler<E, Context> for CtxFnWith<F, ($($x,)+)>
        where
            F: for<'a> ListenerFnWith<'a, E, ($($x,)+)>,
        {
            fn call(&self, ctx: Context, event: Arc<E>) -> ListenerFuture {
                let f = Arc::clone(&self.0);
                Box::pin(async move {
                    let extracted = ($($x::from_context(&ctx)?,)+);
                    f.call(ctx, &event, extracted).await.into_result()
                })
            }
        }

        impl<E: Event, F, $($x: FromContext),+> CallHandler<E, Context> for EventFnWith<F, ($($x,)+)>
        where
            F: for<'a> ListenerFnNoContextWith<'a, E, ($($x,)+)>,
        {
            fn call(&self, ctx: Context, event: Arc<E>) -> ListenerFuture {
                let f = Arc::clone(&self.0);
                Box::pin(async move {
                    let extracted = ($($x::from_context(&ctx)?,)+);
                    f.call(&event, extracted).await.into_result()
                })
            }
        }
    };
}

with_extracted!(X1);
with_extracted!(X1, X2);
with_extracted!(X1, X2, X3);
with_extracted!(X1, X2, X3, X4);
