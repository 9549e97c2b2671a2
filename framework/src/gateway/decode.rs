//! What herald says about a gateway frame it cannot decode: one short line naming the shard, the
//! sequence number, the event type and the parse error (the field's path, line and column), never
//! the frame itself, which may hold a message's content or be megabytes long. Repeats are
//! rate-limited per shard.

use twilight_gateway::error::{ReceiveMessageError, ReceiveMessageErrorType};
use twilight_model::gateway::event::GatewayEventDeserializer;

/// The line for a frame twilight could not decode.
pub(crate) fn describe(shard: u32, error: &ReceiveMessageError) -> String {
    match error.kind() {
        ReceiveMessageErrorType::Deserializing { event } => {
            let cause = std::error::Error::source(error).map(ToString::to_string);
            describe_frame(shard, event, cause.as_deref())
        }
        _ => format!("shard {shard}: a gateway frame could not be read: {error}"),
    }
}

/// The line for the frame `text` that failed with `cause` (serde's message, if any).
pub(crate) fn describe_frame(shard: u32, text: &str, cause: Option<&str>) -> String {
    let envelope = GatewayEventDeserializer::from_json(text);
    let what = match envelope
        .as_ref()
        .and_then(GatewayEventDeserializer::event_type)
    {
        Some(name) => name.to_owned(),
        None => match envelope.as_ref().map(GatewayEventDeserializer::op) {
            Some(op) => format!("op {op} frame"),
            None => "frame".to_owned(),
        },
    };
    let sequence = envelope
        .as_ref()
        .and_then(GatewayEventDeserializer::sequence)
        .map_or_else(String::new, |s| format!("seq {s}, "));
    let reason = match cause {
        Some(cause) => redact(cause),
        None => "not a gateway payload (no `op`)".to_owned(),
    };
    format!(
        "shard {shard}: skipped a {what} ({sequence}{} bytes) that could not be decoded: {reason}",
        text.len()
    )
}

/// serde's message with string values it quotes left out (`invalid type: string "…"`): they may
/// be a message's content.
fn redact(message: &str) -> String {
    const MARK: &str = "string \"";
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(start) = rest.find(MARK) {
        out.push_str(&rest[..start]);
        out.push_str("a string");
        let value = &rest[start + MARK.len()..];
        let mut escaped = false;
        let end = value
            .char_indices()
            .find(|&(_, c)| {
                let closes = c == '"' && !escaped;
                escaped = c == '\\' && !escaped;
                closes
            })
            .map_or(value.len(), |(i, _)| i + 1);
        rest = &value[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_field_is_named_and_no_content_shown() {
        let frame = r#"{"t":"MESSAGE_CREATE","s":42,"op":0,"d":{"id":"1","channel_id":"2","content":"secret words","timestamp":"2024-01-01T00:00:00.000000+00:00","tts":false,"mention_everyone":false,"mentions":[],"mention_roles":[],"attachments":[],"embeds":[],"pinned":false,"type":0}}"#;
        let error =
            twilight_gateway::parse(frame.to_owned(), twilight_gateway::EventTypeFlags::all())
                .expect_err("no author");
        let line = describe(3, &error);
        assert!(
            line.starts_with("shard 3: skipped a MESSAGE_CREATE (seq 42, "),
            "{line}"
        );
        assert!(line.contains("missing field `author`"), "{line}");
        assert!(!line.contains("secret"), "{line}");
    }

    #[test]
    fn a_wrongly_typed_field_is_told_with_its_place() {
        let frame = r#"{"t":"MESSAGE_CREATE","s":7,"op":0,"d":{"id":"1","channel_id":"2","author":{"id":"3","username":"a","discriminator":"0"},"content":5,"timestamp":"2024-01-01T00:00:00.000000+00:00","tts":false,"mention_everyone":false,"mentions":[],"mention_roles":[],"attachments":[],"embeds":[],"pinned":false,"type":0}}"#;
        let error =
            twilight_gateway::parse(frame.to_owned(), twilight_gateway::EventTypeFlags::all())
                .expect_err("content is a number");
        let line = describe(0, &error);
        assert!(
            line.contains("invalid type: integer `5`, expected a string at line 1 column"),
            "{line}"
        );
    }

    #[test]
    fn quoted_strings_are_left_out() {
        assert_eq!(
            redact(r#"invalid type: string "my \"secret\" plan", expected u64 at line 1 column 9"#),
            "invalid type: a string, expected u64 at line 1 column 9"
        );
    }
}
