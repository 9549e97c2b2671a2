//! Modals: show one in answer to an interaction and await its submit.

use std::sync::Arc;
use std::time::Duration;

use twilight_model::application::interaction::Interaction;
use twilight_model::http::interaction::{
    InteractionResponse, InteractionResponseData, InteractionResponseType,
};

use super::Context;
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
        self.http()
            .interaction(interaction.application_id)
            .create_response(interaction.id, &interaction.token, &response)
            .await
            .map_err(|error| {
                let status = match error.kind() {
                    twilight_http::error::ErrorType::Response { status, .. } => Some(status.get()),
                    _ => None,
                };
                Error::Http {
                    message: format!("showing modal {custom_id:?}: {error}"),
                    status,
                }
            })?;
        submitted.await
    }
}
