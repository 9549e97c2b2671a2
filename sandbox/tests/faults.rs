//! Gateway faults against a real twilight-gateway 0.18 shard: every
//! recovery path ends with each dispatch delivered exactly once, in order.

mod common;

use std::time::Duration;

use common::{WAIT, all_intents, ready, shard, until};
use herald_sandbox::{Fault, Sandbox, SandboxError};
use twilight_gateway::{Event, EventTypeFlags, StreamExt as _, queue::InMemoryQueue};

type Shard = twilight_gateway::Shard<InMemoryQueue>;

/// Collects MESSAGE_CREATE contents until `n` arrived (panics on errors).
async fn collect_messages(shard: &mut Shard, n: usize) -> Vec<String> {
    let mut got = Vec::with_capacity(n);
    until(shard, "messages", |e| {
        if let Event::MessageCreate(m) = e {
            got.push(m.content.clone());
        }
        (got.len() >= n).then_some(())
    })
    .await;
    got
}

#[tokio::test]
async fn reconnect_resumes_and_replays_missed_events_once_in_order() {
    let sb = Sandbox::start().await.unwrap();
    let mut shard = shard(&sb, all_intents());
    ready(&mut shard).await;
    let general = sb.channel("general");
    let alice = sb.actor("alice");
    alice.say(general, "before");
    assert_eq!(collect_messages(&mut shard, 1).await, ["before"]);

    sb.shard(0).reconnect().unwrap();
    // twilight answers op 7 with close 4000; the sandbox echoes it, so once
    // the shard reports the close the session has no connection and what
    // follows is only buffered.
    let frame = until(&mut shard, "GatewayClose", |e| match e {
        Event::GatewayClose(frame) => Some(frame),
        _ => None,
    })
    .await;
    assert_eq!(frame.map(|f| f.code), Some(4000));
    sb.records().wait_for_disconnect(0, WAIT).await.unwrap();
    for i in 0..3 {
        alice.say(general, &format!("missed {i}"));
    }
    let mut events = Vec::new();
    until(&mut shard, "RESUMED", |e| match e {
        Event::Resumed => Some(()),
        Event::MessageCreate(m) => {
            events.push(m.content.clone());
            None
        }
        _ => None,
    })
    .await;
    assert_eq!(events, ["missed 0", "missed 1", "missed 2"]);
    alice.say(general, "after");
    assert_eq!(collect_messages(&mut shard, 1).await, ["after"]);

    let resumes = sb.records().resumes();
    assert_eq!(resumes.len(), 1);
    assert!(resumes[0].accepted);
    assert_eq!(resumes[0].replayed, 3);
    assert_eq!(sb.records().identifies().len(), 1);
}

#[tokio::test]
async fn drop_tcp_mid_burst_delivers_every_message_once_in_order() {
    const N: usize = 10_000;
    let sb = Sandbox::start().await.unwrap();
    let mut shard = shard(&sb, all_intents());
    ready(&mut shard).await;
    // READY is seq 1, GUILD_CREATE seq 2: drop TCP after the 5,000th message.
    sb.faults().at_seq(0, 2 + 5_000, Fault::DropTcp).unwrap();
    sb.actor("alice").burst(sb.channel("general"), N);

    let mut got = Vec::with_capacity(N);
    let fut = async {
        while got.len() < N {
            match shard.next_event(EventTypeFlags::MESSAGE_CREATE).await {
                Some(Ok(Event::MessageCreate(m))) => got.push(m.content.clone()),
                Some(Ok(_)) => {}
                other => panic!("unexpected {other:?}"),
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(60), fut)
        .await
        .expect("burst delivered");
    for (i, content) in got.iter().enumerate() {
        assert_eq!(content, &format!("burst {i}"));
    }
    let resumes = sb.records().resumes();
    assert_eq!(resumes.len(), 1, "{resumes:?}");
    assert!(resumes[0].accepted);
    // Everything after the drop came from the session log.
    assert!(resumes[0].replayed >= 5_000, "{resumes:?}");
    assert_eq!(sb.records().identifies().len(), 1);
    assert_eq!(sb.records().messages(sb.channel("general")).len(), N);
}

#[tokio::test]
async fn invalid_session_false_makes_twilight_identify_again() {
    let sb = Sandbox::start().await.unwrap();
    let mut shard = shard(&sb, all_intents());
    ready(&mut shard).await;
    let first = sb.shard(0).session_id().unwrap();
    sb.shard(0).invalid_session(false).unwrap();
    let resumable = until(&mut shard, "GatewayInvalidateSession", |e| match e {
        Event::GatewayInvalidateSession(resumable) => Some(resumable),
        _ => None,
    })
    .await;
    assert!(!resumable);
    let ready = until(&mut shard, "second READY", |e| match e {
        Event::Ready(r) => Some(r),
        _ => None,
    })
    .await;
    assert_ne!(ready.session_id, first);
    let identifies = sb.records().wait_for_identifies(2, WAIT).await.unwrap();
    assert_eq!(identifies.len(), 2);
    assert!(sb.records().resumes().is_empty());
}

#[tokio::test]
async fn invalid_session_true_makes_twilight_resume() {
    let sb = Sandbox::start().await.unwrap();
    let mut shard = shard(&sb, all_intents());
    ready(&mut shard).await;
    sb.shard(0).invalid_session(true).unwrap();
    until(&mut shard, "RESUMED", |e| {
        matches!(e, Event::Resumed).then_some(())
    })
    .await;
    assert_eq!(sb.records().identifies().len(), 1);
    assert_eq!(sb.records().resumes().len(), 1);
}

#[tokio::test]
async fn zombie_connection_is_dropped_and_resumed() {
    let sb = Sandbox::builder()
        .heartbeat_interval(Duration::from_millis(150))
        .start()
        .await
        .unwrap();
    let mut shard = shard(&sb, all_intents());
    ready(&mut shard).await;
    sb.shard(0).zombie().unwrap();
    // Sent into the silence: it must arrive after the resume.
    let general = sb.channel("general");
    sb.actor("alice").say(general, "during zombie");
    let mut closes = Vec::new();
    let mut messages = Vec::new();
    until(&mut shard, "RESUMED", |e| match e {
        Event::GatewayClose(frame) => {
            closes.push(frame.map(|f| f.code));
            None
        }
        Event::MessageCreate(m) => {
            messages.push(m.content.clone());
            None
        }
        Event::Resumed => Some(()),
        _ => None,
    })
    .await;
    assert_eq!(closes, [Some(1006)]);
    assert_eq!(messages, ["during zombie"]);
    assert_eq!(sb.records().resumes().len(), 1);
    assert_eq!(sb.records().resumes()[0].replayed, 1);
    sb.actor("alice").say(general, "after");
    assert_eq!(collect_messages(&mut shard, 1).await, ["after"]);
}

#[tokio::test]
async fn close_4000_resumes_and_close_4009_identifies_again() {
    let sb = Sandbox::start().await.unwrap();
    let mut shard = shard(&sb, all_intents());
    ready(&mut shard).await;

    sb.shard(0).close(4000).unwrap();
    until(&mut shard, "RESUMED", |e| {
        matches!(e, Event::Resumed).then_some(())
    })
    .await;
    assert_eq!(sb.records().resumes().len(), 1);

    sb.shard(0).close(4009).unwrap();
    until(&mut shard, "READY", |e| {
        matches!(e, Event::Ready(_)).then_some(())
    })
    .await;
    let resumes = sb.records().resumes();
    assert_eq!(resumes.len(), 2);
    assert!(!resumes[1].accepted, "the timed-out session cannot resume");
    assert_eq!(sb.records().identifies().len(), 2);
}

#[tokio::test]
async fn malformed_frame_is_an_error_and_the_shard_goes_on() {
    let sb = Sandbox::start().await.unwrap();
    let mut shard = shard(&sb, all_intents());
    ready(&mut shard).await;
    sb.shard(0).malformed_frame().unwrap();
    sb.actor("alice").say(sb.channel("general"), "still here");
    let error = tokio::time::timeout(WAIT, shard.next_event(EventTypeFlags::all()))
        .await
        .unwrap();
    assert!(matches!(error, Some(Err(_))), "{error:?}");
    assert_eq!(collect_messages(&mut shard, 1).await, ["still here"]);
}

#[tokio::test]
async fn fault_without_connection_says_what_to_do() {
    let sb = Sandbox::start().await.unwrap();
    let error = sb.shard(0).reconnect().unwrap_err();
    assert!(matches!(error, SandboxError::NotConnected { shard: 0 }));
    assert!(error.to_string().contains("wait_for_connection"));
    assert!(matches!(
        sb.shard(0).close(1005),
        Err(SandboxError::InvalidCloseCode { code: 1005 })
    ));
    let timeout = sb
        .records()
        .wait_for_connection(0, Duration::from_millis(20))
        .await
        .unwrap_err();
    assert!(matches!(timeout, SandboxError::Timeout { .. }));
}

#[tokio::test]
async fn resume_beyond_the_buffer_is_refused_and_twilight_identifies_again() {
    let sb = Sandbox::builder()
        .resume_buffer(5)
        .message_history(3)
        .start()
        .await
        .unwrap();
    let mut shard = shard(&sb, all_intents());
    ready(&mut shard).await;
    sb.shard(0).reconnect().unwrap();
    until(&mut shard, "GatewayClose", |e| {
        matches!(e, Event::GatewayClose(_)).then_some(())
    })
    .await;
    sb.records().wait_for_disconnect(0, WAIT).await.unwrap();
    let general = sb.channel("general");
    for i in 0..10 {
        sb.actor("alice").say(general, &format!("lost {i}"));
    }
    until(&mut shard, "new READY", |e| {
        matches!(e, Event::Ready(_)).then_some(())
    })
    .await;
    let resumes = sb.records().resumes();
    assert_eq!(resumes.len(), 1);
    assert!(!resumes[0].accepted);
    assert_eq!(sb.records().identifies().len(), 2);
    // Only the last 3 messages are kept.
    let kept: Vec<String> = sb
        .records()
        .messages(general)
        .into_iter()
        .map(|m| m.content)
        .collect();
    assert_eq!(kept, ["lost 7", "lost 8", "lost 9"]);
}
