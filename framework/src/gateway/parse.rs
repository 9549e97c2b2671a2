//! Decoding a gateway frame into twilight's `Event`, only when its type is wanted.
//!
//! Most frames go through twilight-model's envelope deserializer, as in `twilight_gateway::parse`.
//! A few herald decodes itself, into the same twilight-model payloads:
//!
//! - the ones whose twilight-model type costs too much through serde's derive:
//!   `MESSAGE_CREATE` and `GUILD_MEMBER_ADD` use `#[serde(flatten)]`, which buffers the whole
//!   payload into an intermediate tree and decodes it again (half of a message's parse time); and
//!   `GUILD_CREATE` is an `#[serde(untagged)]` enum, which buffers the whole guild (three times
//!   the memory of the guild itself for a big one) and, when it fails, says only that "data did
//!   not match any variant". Here the flattened key is taken out on the way ([`WithKey`]) and a
//!   guild is decoded straight into `Guild`;
//! - the ones twilight 0.18 skips (its `EventType` does not know their names).
//!
//! A SIMD JSON parser (simd-json 0.17) was measured on the same messages and was not faster than
//! serde_json once the flatten was gone (`docs/architecture.md`), so serde_json it is.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, IntoDeserializer, MapAccess,
    Visitor,
};
use twilight_gateway::EventTypeFlags;
use twilight_model::channel::ChannelType;
use twilight_model::gateway::OpCode;
use twilight_model::gateway::event::{Event as Frame, GatewayEventDeserializer};
use twilight_model::gateway::payload::incoming::{
    EntitlementDelete, EntitlementUpdate, GuildCreate, GuildStickersUpdate, MemberAdd,
    MessageCreate,
};
use twilight_model::guild::{Guild, Member, UnavailableGuild};
use twilight_model::id::Id;
use twilight_model::id::marker::GuildMarker;

/// What became of a frame.
// twilight's `Event` is large (its big payloads are boxed already): moving it costs less than
// another allocation per event.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Parsed {
    /// The event.
    Event(Frame),
    /// A new message, in the `Arc` listeners will share: a `Frame` would box it, and sharing the
    /// box would copy its 3.5 KB into an `Arc` of its own.
    Message(Arc<MessageCreate>),
    /// Not wanted (or not a gateway event twilight or herald knows): the frame, undecoded.
    Unwanted(String),
    /// The frame did not decode: serde's message (`None`: not a gateway payload), and the frame.
    Failed { cause: Option<String>, text: String },
}

/// The frame `text`, decoded when its type is in `wanted`. The envelope is read once: herald's
/// own decoders, or twilight-model's envelope deserializer (what `twilight_gateway::parse` runs),
/// take it from there.
pub(crate) fn parse(text: String, wanted: EventTypeFlags) -> Parsed {
    // Discord writes a dispatch's name first (`{"t":"MESSAGE_CREATE","s":..`): for the frames herald
    // decodes itself that is all it needs, without searching the frame for the envelope's keys.
    let decoded = match dispatch_name(&text).and_then(own) {
        Some((flag, decode)) => wanted.contains(flag).then(|| decode(&text)),
        None => {
            let Some(envelope) = GatewayEventDeserializer::from_json(&text) else {
                return Parsed::Failed { cause: None, text };
            };
            let name = envelope.event_type();
            let own = name.filter(|_| envelope.op() == 0).and_then(own);
            match (own, OpCode::from(envelope.op())) {
                (Some((flag, decode)), _) => wanted.contains(flag).then(|| decode(&text)),
                (None, None) => None,
                (None, Some(op)) => match EventTypeFlags::try_from((op, name)) {
                    Ok(flag) if wanted.contains(flag) => {
                        let mut deserializer = serde_json::Deserializer::from_str(&text);
                        let event = envelope.deserialize(&mut deserializer);
                        Some(event.map(|event| Parsed::Event(event.into())))
                    }
                    _ => None,
                },
            }
        }
    };
    match decoded {
        Some(Ok(parsed)) => parsed,
        Some(Err(error)) => Parsed::Failed {
            cause: Some(error.to_string()),
            text,
        },
        None => Parsed::Unwanted(text),
    }
}

/// herald's own decoder of the dispatch `name`, with its flag.
fn own(name: &str) -> Option<(EventTypeFlags, Decode)> {
    OWN.iter()
        .find(|(known, ..)| *known == name)
        .map(|&(_, flag, decode)| (flag, decode))
}

/// The dispatch name a frame starts with (`{"t":"NAME"`), if it does. Only dispatches (op 0)
/// have a name.
fn dispatch_name(text: &str) -> Option<&str> {
    let (name, _) = text.strip_prefix(r#"{"t":""#)?.split_once('"')?;
    Some(name)
}

/// How a frame herald decodes itself becomes an event.
type Decode = fn(&str) -> serde_json::Result<Parsed>;

/// The dispatches herald decodes itself: their name, their flag, and how.
const OWN: [(&str, EventTypeFlags, Decode); 6] = [
    ("MESSAGE_CREATE", EventTypeFlags::MESSAGE_CREATE, |text| {
        let seed = WithKey::new(
            "channel_type",
            |channel_type: Option<Option<ChannelType>>, message| {
                Arc::new(MessageCreate {
                    channel_type: channel_type.flatten(),
                    message,
                })
            },
        );
        Ok(Parsed::Message(data(text, seed)?))
    }),
    ("GUILD_CREATE", EventTypeFlags::GUILD_CREATE, |text| {
        let guild = match data(text, PhantomData::<Guild>) {
            Ok(mut guild) if guild.unavailable != Some(true) => {
                // A big guild's members grew by doubling: give the unused half back now.
                guild.members.shrink_to_fit();
                GuildCreate::Available(guild)
            }
            Ok(guild) => GuildCreate::Unavailable(UnavailableGuild {
                id: guild.id,
                unavailable: true,
            }),
            // An unavailable guild is only its id and `unavailable`: not a `Guild`.
            Err(error) => match data(text, PhantomData::<UnavailableGuild>) {
                Ok(guild) if guild.unavailable => GuildCreate::Unavailable(guild),
                _ => return Err(error),
            },
        };
        Ok(Parsed::Event(Frame::GuildCreate(Box::new(guild))))
    }),
    ("GUILD_MEMBER_ADD", EventTypeFlags::MEMBER_ADD, |text| {
        let seed = WithKey::new(
            "guild_id",
            |guild_id: Option<Id<GuildMarker>>, member: Member| (guild_id, member),
        );
        let (guild_id, member) = data(text, seed)?;
        let guild_id = guild_id.ok_or_else(|| de::Error::missing_field("guild_id"))?;
        Ok(Parsed::Event(Frame::MemberAdd(Box::new(MemberAdd {
            guild_id,
            member,
        }))))
    }),
    // twilight 0.18 skips these three.
    (
        "GUILD_STICKERS_UPDATE",
        EventTypeFlags::GUILD_STICKERS_UPDATE,
        |text| {
            owned::<GuildStickersUpdate>(text).map(|e| Parsed::Event(Frame::GuildStickersUpdate(e)))
        },
    ),
    (
        "ENTITLEMENT_UPDATE",
        EventTypeFlags::ENTITLEMENT_UPDATE,
        |text| owned::<EntitlementUpdate>(text).map(|e| Parsed::Event(Frame::EntitlementUpdate(e))),
    ),
    (
        "ENTITLEMENT_DELETE",
        EventTypeFlags::ENTITLEMENT_DELETE,
        |text| owned::<EntitlementDelete>(text).map(|e| Parsed::Event(Frame::EntitlementDelete(e))),
    ),
];

fn owned<T: DeserializeOwned>(text: &str) -> serde_json::Result<T> {
    data(text, PhantomData::<T>)
}

/// Decodes the frame's `d` with `seed`; the envelope's other keys are skipped.
fn data<'a, S: DeserializeSeed<'a> + Clone>(
    text: &'a str,
    seed: S,
) -> serde_json::Result<S::Value> {
    // A dispatch as Discord writes it: `d` decoded where it is, without reading the envelope's
    // keys. Anything else (or a `d` that does not decode so) takes the general path, which also
    // words the error.
    if let Some(d) = dispatch_data(text) {
        let mut deserializer = serde_json::Deserializer::from_str(d);
        if let Ok(value) = seed.clone().deserialize(&mut deserializer)
            && deserializer.end().is_ok()
        {
            return Ok(value);
        }
    }
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = deserializer.deserialize_map(Data(seed))?;
    deserializer.end()?;
    value.ok_or_else(|| de::Error::missing_field("d"))
}

/// The `D` of a frame written `{"t":"NAME","s":N,"op":0,"d":D}`, as Discord writes dispatches.
fn dispatch_data(text: &str) -> Option<&str> {
    let (_, rest) = text.strip_prefix(r#"{"t":""#)?.split_once('"')?;
    let rest = rest.strip_prefix(r#","s":"#)?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let rest = rest[digits..].strip_prefix(r#","op":0,"d":"#)?;
    rest.strip_suffix('}')
}

/// A frame's envelope, decoding `d` with the seed.
struct Data<S>(S);

impl<'de, S: DeserializeSeed<'de>> Visitor<'de> for Data<S> {
    type Value = Option<S::Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a gateway frame")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut seed = Some(self.0);
        let mut value = None;
        while let Some(Key(key)) = map.next_key()? {
            if key == "d"
                && let Some(seed) = seed.take()
            {
                value = Some(map.next_value_seed(seed)?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(value)
    }
}

/// A map's key, borrowed from the frame when it has no escapes (serde's own `Cow<str>` always
/// allocates).
struct Key<'de>(Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }

            fn visit_borrowed_str<E: de::Error>(self, key: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(key)))
            }

            fn visit_str<E: de::Error>(self, key: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(key.to_owned())))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// Decodes an `R` from a map whose entry `key` (a `T`) is taken out first: what a struct of a
/// `T` and a `#[serde(flatten)]` `R` decodes, without buffering the map. Only the map's own
/// entries are looked at, not those of the values nested in it. `finish` makes the value of the
/// two right there, so that a big `R` is moved once into where it ends up (a `Message` is 3.5 KB).
struct WithKey<T, R, F> {
    key: &'static str,
    finish: F,
    types: PhantomData<fn() -> (T, R)>,
}

impl<T, R, F: Clone> Clone for WithKey<T, R, F> {
    fn clone(&self) -> Self {
        WithKey {
            key: self.key,
            finish: self.finish.clone(),
            types: PhantomData,
        }
    }
}

impl<T, R, F> WithKey<T, R, F> {
    const fn new(key: &'static str, finish: F) -> Self {
        WithKey {
            key,
            finish,
            types: PhantomData,
        }
    }
}

impl<'de, T, R, F, Out> DeserializeSeed<'de> for WithKey<T, R, F>
where
    T: de::Deserialize<'de>,
    R: de::Deserialize<'de>,
    F: FnOnce(Option<T>, R) -> Out,
{
    type Value = Out;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        let mut taken = None;
        let hide = Hide {
            key: self.key,
            taken: &mut taken,
        };
        let rest = R::deserialize(Without(deserializer, hide))?;
        Ok((self.finish)(taken, rest))
    }
}

/// The map entry to hide, and where its value goes.
struct Hide<'t, T> {
    key: &'static str,
    taken: &'t mut Option<T>,
}

/// A deserializer whose map's visitor does not see the hidden entry.
struct Without<'t, D, T>(D, Hide<'t, T>);

impl<'de, D: Deserializer<'de>, T: de::Deserialize<'de>> Deserializer<'de> for Without<'_, D, T> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_map(Without(visitor, self.1))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier
        ignored_any
    }
}

impl<'de, V: Visitor<'de>, T: de::Deserialize<'de>> Visitor<'de> for Without<'_, V, T> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.0.visit_map(Without(map, self.1))
    }
}

impl<'de, A: MapAccess<'de>, T: de::Deserialize<'de>> MapAccess<'de> for Without<'_, A, T> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        loop {
            let Some(Key(key)) = self.0.next_key()? else {
                return Ok(None);
            };
            if key == self.1.key {
                *self.1.taken = Some(self.0.next_value()?);
                continue;
            }
            let key: de::value::CowStrDeserializer<'de, A::Error> = key.into_deserializer();
            return seed.deserialize(key).map(Some);
        }
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, A::Error> {
        self.0.next_value_seed(seed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MESSAGE: &str = r#"{"t":"MESSAGE_CREATE","s":9,"op":0,"d":{"id":"1","channel_id":"2","guild_id":"5","channel_type":11,"author":{"id":"3","username":"a","discriminator":"0"},"member":{"roles":[],"joined_at":"2024-01-01T00:00:00.000000+00:00","deaf":false,"mute":false,"flags":0},"content":"hi \"there\"","timestamp":"2024-01-01T00:00:00.000000+00:00","tts":false,"mention_everyone":false,"mentions":[],"mention_roles":[],"attachments":[],"embeds":[],"pinned":false,"type":0,"referenced_message":{"id":"7","channel_id":"2","channel_type":0,"author":{"id":"3","username":"a","discriminator":"0"},"content":"x","timestamp":"2024-01-01T00:00:00.000000+00:00","tts":false,"mention_everyone":false,"mentions":[],"mention_roles":[],"attachments":[],"embeds":[],"pinned":false,"type":0}}}"#;

    fn twilight(text: &str) -> Frame {
        twilight_gateway::parse(text.to_owned(), EventTypeFlags::all())
            .expect("twilight decodes it")
            .expect("a known event")
            .into()
    }

    fn ours(text: &str) -> Frame {
        match parse(text.to_owned(), EventTypeFlags::all()) {
            Parsed::Event(frame) => frame,
            Parsed::Message(message) => Frame::MessageCreate(Box::new((*message).clone())),
            Parsed::Unwanted(_) => panic!("not decoded"),
            Parsed::Failed { cause, .. } => panic!("{cause:?}"),
        }
    }

    #[test]
    fn a_message_decodes_as_twilight_decodes_it() {
        let frame = ours(MESSAGE);
        assert_eq!(frame, twilight(MESSAGE));
        let Frame::MessageCreate(message) = frame else {
            panic!("{frame:?}")
        };
        assert_eq!(
            message.channel_type,
            Some(twilight_model::channel::ChannelType::PublicThread)
        );
        assert_eq!(message.content, r#"hi "there""#);
        assert!(message.member.is_some());
    }

    #[test]
    fn a_frame_in_another_key_order_decodes_the_same() {
        // Discord writes `t` first; any other order goes through the envelope's own search.
        let reordered = MESSAGE.replacen(
            r#"{"t":"MESSAGE_CREATE","s":9,"op":0,"#,
            r#"{"op":0,"s":9,"t":"MESSAGE_CREATE","#,
            1,
        );
        assert_ne!(reordered, MESSAGE);
        assert_eq!(ours(&reordered), ours(MESSAGE));
        let wanted = EventTypeFlags::all() - EventTypeFlags::MESSAGE_CREATE;
        assert!(matches!(parse(reordered, wanted), Parsed::Unwanted(_)));
    }

    #[test]
    fn only_a_dispatch_written_as_discord_writes_it_skips_the_envelope() {
        let d = dispatch_data(MESSAGE).expect("Discord's order");
        assert!(d.starts_with(r#"{"id":"1""#) && d.ends_with("}}"), "{d}");
        assert_eq!(
            dispatch_data(r#"{"t":"MESSAGE_CREATE","s":null,"op":0,"d":{}}"#),
            None
        );
        assert_eq!(
            dispatch_data(r#"{"t":"MESSAGE_CREATE","op":0,"s":9,"d":{}}"#),
            None
        );
        // A key after `d`: its slice does not decode, so the envelope is read; the same message.
        let trailing = format!(r#"{},"x":1}}"#, &MESSAGE[..MESSAGE.len() - 1]);
        assert!(dispatch_data(&trailing).is_some());
        assert_eq!(ours(&trailing), ours(MESSAGE));
    }

    #[test]
    fn a_bad_message_is_told_with_its_place_in_the_whole_frame() {
        let bad = r#""content":5"#;
        let text = MESSAGE.replacen(r#""content":"hi \"there\"""#, bad, 1);
        assert_ne!(text, MESSAGE);
        let Parsed::Failed {
            cause: Some(error), ..
        } = parse(text.clone(), EventTypeFlags::all())
        else {
            panic!("decoded")
        };
        let column = text.find(bad).unwrap() + bad.len();
        assert!(error.ends_with(&format!("column {column}")), "{error}");
    }

    #[test]
    fn a_message_without_channel_type_has_none() {
        let text = MESSAGE.replace(r#""channel_type":11,"#, "");
        let Frame::MessageCreate(message) = ours(&text) else {
            panic!()
        };
        assert_eq!(message.channel_type, None);
        assert_eq!(ours(&text), twilight(&text));
    }

    #[test]
    fn a_member_add_decodes_as_twilight_decodes_it() {
        let text = r#"{"t":"GUILD_MEMBER_ADD","s":3,"op":0,"d":{"user":{"id":"3","username":"a","discriminator":"0"},"roles":["4"],"joined_at":"2024-01-01T00:00:00.000000+00:00","deaf":false,"mute":false,"flags":0,"guild_id":"5"}}"#;
        assert_eq!(ours(text), twilight(text));
        let missing = text.replace(r#","guild_id":"5""#, "");
        let Parsed::Failed {
            cause: Some(error), ..
        } = parse(missing, EventTypeFlags::all())
        else {
            panic!("decoded without a guild")
        };
        assert!(error.contains("missing field `guild_id`"), "{error}");
    }

    #[test]
    fn an_unavailable_guild_is_told_apart() {
        let text = r#"{"t":"GUILD_CREATE","s":2,"op":0,"d":{"id":"5","unavailable":true}}"#;
        assert_eq!(ours(text), twilight(text));
    }

    #[test]
    fn a_bad_guild_names_the_field() {
        let text = r#"{"t":"GUILD_CREATE","s":2,"op":0,"d":{"id":"5","name":"g"}}"#;
        let Parsed::Failed {
            cause: Some(error), ..
        } = parse(text.to_owned(), EventTypeFlags::all())
        else {
            panic!("decoded")
        };
        assert!(error.starts_with("missing field"), "{error}");
    }

    #[test]
    fn unwanted_frames_are_not_decoded() {
        let wanted = EventTypeFlags::all() - EventTypeFlags::MESSAGE_CREATE;
        let Parsed::Unwanted(text) = parse(MESSAGE.to_owned(), wanted) else {
            panic!("decoded")
        };
        assert_eq!(text, MESSAGE, "the frame is handed back as it was");
        let broken = MESSAGE.replace(r#""author""#, r#""writer""#);
        assert!(matches!(parse(broken, wanted), Parsed::Unwanted(_)));
        let reaction = r#"{"t":"MESSAGE_REACTION_ADD","s":4,"op":0,"d":{}}"#;
        let only_messages = EventTypeFlags::MESSAGE_CREATE;
        assert!(matches!(
            parse(reaction.to_owned(), only_messages),
            Parsed::Unwanted(_)
        ));
    }
}
