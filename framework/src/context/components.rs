//! Answering interactions: reply, reply ephemerally, defer, edit the answer, follow up, and show
//! a modal and await its submit.

use std::sync::Arc;
use std::time::Duration;

use twilight_model::application::interaction::Interaction;
use twilight_model::http::interaction::{
    InteractionResponse, InteractionResponseData, InteractionResponseType,
};

use super::Context;
use super::answers::{Answer, api_code};
use crate::Error;
use crate::event::interaction::ModalSubmit;

impl Context {
    /// Shows `modal` (its `custom_id`, `title` and text inputs in `components`) in answer to
    /// `interaction` (a slash command or a component click) and waits at most `timeout` for the
    /// same user to submit it: disnake's `await inter.response.send_modal(..)` followed by
    /// `bot.wait_for("modal_submit", check=.., timeout=..)`, in one call. The submit still needs
    /// an answer of its own (a message, a deferral) within Discord's three seconds.
    ///
    /// ```no_run
    /// # use std::time::Duration;
    /// # use herald_framework::prelude::*;
    /// # use herald_framework::model::http::interaction::InteractionResponseData;
    /// # async fn f(ctx: Context, command: &ApplicationCommand, inputs: Vec<herald_framework::model::channel::message::Component>) -> herald_framework::Result {
    /// let modal = InteractionResponseData {
    ///     custom_id: Some("ticket".to_owned()),
    ///     title: Some("Open a ticket".to_owned()),
    ///     components: Some(inputs),
    ///     ..Default::default()
    /// };
    /// let submit = ctx.modal(command, modal, Duration::from_secs(300)).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for a modal without a `custom_id`; [`Error::Http`] when Discord refuses
    /// the modal; [`Error::Timeout`] when the user does not submit it in time (closing a modal
    /// sends Discord nothing).
    pub async fn modal(
        &self,
        interaction: &Interaction,
        modal: InteractionResponseData,
        timeout: Duration,
    ) -> Result<Arc<ModalSubmit>, Error> {
        let custom_id = modal
            .custom_id
            .clone()
            .ok_or_else(|| Error::Config("a modal needs a custom_id".to_owned()))?;
        let user = interaction.author_id();
        // Registered before the modal is shown: a quick submit cannot be missed.
        let submitted = self
            .wait_for::<ModalSubmit>()
            .custom_id(custom_id.as_str())
            .check(move |submit| submit.author_id() == user)
            .timeout(timeout)
            .register();
        let response = InteractionResponse {
            kind: InteractionResponseType::Modal,
            data: Some(modal),
        };
        // The modal is the answer: herald must not defer it while the user fills it in.
        let mut state = self.answers().state(interaction.id).await;
        self.http()
            .interaction(interaction.application_id)
            .create_response(interaction.id, &interaction.token, &response)
            .await
            .map_err(|error| Error::http(&format!("showing modal {custom_id:?}"), &error))?;
        if let Some(state) = state.as_deref_mut() {
            *state = Answer::Answered;
        }
        drop(state);
        submitted.await
    }
}

impl Context {
    /// Answers `interaction` (a command, a click, a modal submit) with a message: disnake's
    /// `inter.response.send_message(content)`. Within 3 s of the interaction, once; after that,
    /// [`follow_up`](Self::follow_up).
    ///
    /// # Errors
    ///
    /// [`Error::Http`] when Discord refuses it (answered already, too late, ...).
    pub async fn reply(&self, interaction: &Interaction, content: &str) -> Result<(), Error> {
        self.respond(interaction, content, false).await
    }

    /// [`reply`](Self::reply) that only the user sees (`ephemeral=True`).
    ///
    /// # Errors
    ///
    /// As [`reply`](Self::reply).
    pub async fn reply_ephemeral(
        &self,
        interaction: &Interaction,
        content: &str,
    ) -> Result<(), Error> {
        self.respond(interaction, content, true).await
    }

    async fn respond(
        &self,
        interaction: &Interaction,
        content: &str,
        ephemeral: bool,
    ) -> Result<(), Error> {
        let mut state = self.answers().state(interaction.id).await;
        if state.as_deref() == Some(&Answer::Deferred) {
            // herald deferred it: the answer is the deferred message, which cannot turn
            // ephemeral; an ephemeral answer replaces it with an ephemeral follow-up.
            if ephemeral {
                let client = self.http().interaction(interaction.application_id);
                client
                    .delete_response(&interaction.token)
                    .await
                    .map_err(|error| Error::http("replacing the deferred answer", &error))?;
                client
                    .create_followup(&interaction.token)
                    .flags(twilight_model::channel::message::MessageFlags::EPHEMERAL)
                    .content(content)
                    .await
                    .map_err(|error| Error::http("answering the interaction", &error))?;
            } else {
                self.edit_reply(interaction, content).await?;
            }
        } else {
            let response = InteractionResponse {
                kind: InteractionResponseType::ChannelMessageWithSource,
                data: Some(InteractionResponseData {
                    content: Some(content.to_owned()),
                    flags: ephemeral
                        .then_some(twilight_model::channel::message::MessageFlags::EPHEMERAL),
                    ..Default::default()
                }),
            };
            self.http()
                .interaction(interaction.application_id)
                .create_response(interaction.id, &interaction.token, &response)
                .await
                .map_err(|error| answer_failed("answering the interaction", &error))?;
        }
        if let Some(state) = state.as_deref_mut() {
            *state = Answer::Answered;
        }
        Ok(())
    }

    /// Acknowledges `interaction` now and answers later (disnake's `inter.response.defer()`):
    /// the user sees "thinking..." and the bot has 15 minutes to
    /// [`edit_reply`](Self::edit_reply) or [`follow_up`](Self::follow_up). A command herald
    /// deferred already is left as it is.
    ///
    /// # Errors
    ///
    /// As [`reply`](Self::reply).
    pub async fn defer(&self, interaction: &Interaction, ephemeral: bool) -> Result<(), Error> {
        let mut state = self.answers().state(interaction.id).await;
        if state.as_deref() == Some(&Answer::Deferred) {
            return Ok(());
        }
        self.send_defer(interaction, ephemeral).await?;
        if let Some(state) = state.as_deref_mut() {
            *state = Answer::Deferred;
        }
        Ok(())
    }

    async fn send_defer(&self, interaction: &Interaction, ephemeral: bool) -> Result<(), Error> {
        self.send_defer_raw(interaction, ephemeral)
            .await
            .map_err(|error| answer_failed("deferring the interaction", &error))
    }

    /// Sends a deferral (callback type 5), with twilight's error.
    pub(crate) async fn send_defer_raw(
        &self,
        interaction: &Interaction,
        ephemeral: bool,
    ) -> Result<(), twilight_http::Error> {
        let response = InteractionResponse {
            kind: InteractionResponseType::DeferredChannelMessageWithSource,
            data: ephemeral.then(|| InteractionResponseData {
                flags: Some(twilight_model::channel::message::MessageFlags::EPHEMERAL),
                ..Default::default()
            }),
        };
        self.http()
            .interaction(interaction.application_id)
            .create_response(interaction.id, &interaction.token, &response)
            .await
            .map(drop)
    }

    /// Sets the text of the answer (after [`defer`](Self::defer), or to edit a
    /// [`reply`](Self::reply)): disnake's `inter.edit_original_response(content)`.
    ///
    /// # Errors
    ///
    /// [`Error::Http`] when Discord refuses it (no answer yet, the token expired after 15
    /// minutes).
    pub async fn edit_reply(&self, interaction: &Interaction, content: &str) -> Result<(), Error> {
        self.http()
            .interaction(interaction.application_id)
            .update_response(&interaction.token)
            .content(Some(content))
            .await
            .map(drop)
            .map_err(|error| Error::http("editing the answer", &error))
    }

    /// Sends one more message about `interaction` after its answer: disnake's
    /// `inter.followup.send(content)`.
    ///
    /// # Errors
    ///
    /// [`Error::Http`] when Discord refuses it (the token expired after 15 minutes).
    pub async fn follow_up(&self, interaction: &Interaction, content: &str) -> Result<(), Error> {
        self.http()
            .interaction(interaction.application_id)
            .create_followup(&interaction.token)
            .content(content)
            .await
            .map(drop)
            .map_err(|error| Error::http("following up", &error))
    }
}

/// A refused first answer; Discord's "Unknown interaction" (10062) is almost always a late one.
fn answer_failed(what: &str, error: &twilight_http::Error) -> Error {
    if api_code(error) == Some(10062) {
        Error::http(
            &format!(
                "{what}: Discord no longer knows the interaction: answers must come within 3 s \
                 (defer first in slow handlers; herald's commands defer by themselves)"
            ),
            error,
        )
    } else {
        Error::http(what, error)
    }
}
