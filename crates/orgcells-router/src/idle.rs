//! A body that may not stall: each frame must come within a limit of the one before (or of the
//! start), else the body ends in an [`IdleTimeout`] error. The router wraps both bodies it
//! streams in one, so a client that stops uploading, or a Cell that stops answering half way,
//! frees the connection instead of holding it for ever. It also says when it has ended, for
//! the head timeout that starts once the request is sent.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Bytes;
use http_body::{Body, Frame, SizeHint};
use tokio::sync::oneshot;
use tokio::time::{Instant, Sleep};

/// A body that went quiet for longer than its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("nothing was sent for {0:?}")]
pub struct IdleTimeout(pub Duration);

/// What a wrapped body may fail with.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// When a body last moved, for whoever waits on it from outside: a body nobody reads any more
/// (a Cell that stopped reading an upload) is not polled, so its own timer never fires.
#[derive(Debug, Clone)]
pub struct Progress {
    start: Instant,
    /// Milliseconds from `start` to the last frame.
    last: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl Default for Progress {
    fn default() -> Progress {
        Progress {
            start: Instant::now(),
            last: std::sync::Arc::default(),
        }
    }
}

impl Progress {
    fn mark(&self) {
        let now = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last.store(now, std::sync::atomic::Ordering::Relaxed);
    }

    /// How long since the body last moved (or since it was made).
    pub fn quiet_for(&self) -> Duration {
        let last = Duration::from_millis(self.last.load(std::sync::atomic::Ordering::Relaxed));
        self.start.elapsed().saturating_sub(last)
    }
}

pin_project_lite::pin_project! {
    /// `inner`, failing once it is idle for `limit`.
    pub struct Idle<B> {
        #[pin]
        inner: B,
        #[pin]
        quiet: Sleep,
        limit: Duration,
        ended: Option<oneshot::Sender<()>>,
        progress: Option<Progress>,
    }
}

impl<B: Body> Idle<B> {
    /// `inner`, failing after `limit` without a frame; `ended` is told when it ends (or fails),
    /// `progress` of every frame.
    pub fn new(
        inner: B,
        limit: Duration,
        ended: Option<oneshot::Sender<()>>,
        progress: Option<Progress>,
    ) -> Idle<B> {
        let mut idle = Idle {
            inner,
            quiet: tokio::time::sleep(limit),
            limit,
            ended,
            progress,
        };
        if idle.inner.is_end_stream()
            && let Some(ended) = idle.ended.take()
        {
            let _ = ended.send(());
        }
        idle
    }
}

impl<B> Body for Idle<B>
where
    B: Body<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let mut this = self.project();
        let polled = match this.inner.poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                let limit = *this.limit;
                this.quiet.as_mut().reset(Instant::now() + limit);
                if let Some(progress) = this.progress.as_ref() {
                    progress.mark();
                }
                return Poll::Ready(Some(Ok(frame)));
            }
            Poll::Ready(Some(Err(error))) => Poll::Ready(Some(Err(error.into()))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => match this.quiet.poll(cx) {
                Poll::Ready(()) => Poll::Ready(Some(Err(IdleTimeout(*this.limit).into()))),
                Poll::Pending => return Poll::Pending,
            },
        };
        if let Some(ended) = this.ended.take() {
            let _ = ended.send(());
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Whether `error`, or what caused it, is an [`IdleTimeout`].
pub fn went_idle(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(error);
    while let Some(error) = next {
        if error.is::<IdleTimeout>() {
            return true;
        }
        next = error.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body as AxumBody;
    use tokio::sync::mpsc;

    /// A body whose frames the test sends.
    struct Sent(mpsc::Receiver<Bytes>);

    impl Body for Sent {
        type Data = Bytes;
        type Error = BoxError;

        fn poll_frame(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
            self.0
                .poll_recv(cx)
                .map(|data| data.map(|data| Ok(Frame::data(data))))
        }
    }

    async fn next<B: Body<Data = Bytes>>(
        body: &mut Pin<Box<Idle<B>>>,
    ) -> Option<Result<Frame<Bytes>, BoxError>>
    where
        B::Error: Into<BoxError>,
    {
        std::future::poll_fn(|cx| body.as_mut().poll_frame(cx)).await
    }

    #[tokio::test(start_paused = true)]
    async fn a_quiet_body_fails_and_a_busy_one_does_not() {
        let (sender, receiver) = mpsc::channel(4);
        let (ended, told) = oneshot::channel();
        let mut idle = Box::pin(Idle::new(
            Sent(receiver),
            Duration::from_secs(2),
            Some(ended),
            None,
        ));
        // Frames a second apart, for longer than the limit in all: none is late.
        for _ in 0..4 {
            tokio::time::sleep(Duration::from_secs(1)).await;
            sender.send(Bytes::from_static(b"x")).await.expect("sent");
            assert!(next(&mut idle).await.expect("a frame").is_ok());
        }
        // Then nothing for 2 s: an idle timeout, and the end is told.
        let failed = next(&mut idle).await.expect("an end").expect_err("idle");
        assert!(went_idle(failed.as_ref()), "{failed}");
        assert!(told.await.is_ok());
        // A body that ends is told as it ends; an empty one before it is read.
        let (sender, receiver) = mpsc::channel(4);
        let (ended, mut told) = oneshot::channel();
        let mut idle = Box::pin(Idle::new(
            Sent(receiver),
            Duration::from_secs(2),
            Some(ended),
            None,
        ));
        drop(sender);
        assert!(told.try_recv().is_err());
        assert!(next(&mut idle).await.is_none());
        assert!(told.await.is_ok());
        let (ended, told) = oneshot::channel();
        let _empty = Idle::new(AxumBody::empty(), Duration::from_secs(2), Some(ended), None);
        assert!(told.await.is_ok());
    }
}
