package no.aktiver

import no.aktiver.ffi.ActivationException

/**
 * What a call on an [Activation] can throw besides the coroutine's own
 * `CancellationException`. No variant carries the user's input.
 */
public sealed class AktiverException(message: String, cause: Throwable?) : Exception(message, cause) {
    /** The action does not fit the current screen (a stale button, a double tap). */
    public class BadState(public val screen: String, public val action: String, cause: Throwable? = null) :
        AktiverException("action `$action` does not fit screen `$screen`", cause)

    /** The activation could not be set up (configuration, storage, runtime). */
    public class Setup(public val reason: String, cause: Throwable? = null) :
        AktiverException("setup: $reason", cause)

    /** The activation was closed; start a new one (it resumes). */
    public class Closed(cause: Throwable? = null) : AktiverException("the activation is closed", cause)

    /** A bug in the core, caught: close the activation and start a new one. */
    public class Internal(public val reason: String, cause: Throwable? = null) :
        AktiverException("internal error: $reason", cause)
}

internal fun ActivationException.toAktiver(): AktiverException =
    when (this) {
        is ActivationException.BadState -> AktiverException.BadState(screen, action, this)
        is ActivationException.Setup -> AktiverException.Setup(reason, this)
        is ActivationException.Closed -> AktiverException.Closed(this)
        is ActivationException.Internal -> AktiverException.Internal(reason, this)
    }

/** Runs an FFI call, translating its errors into [AktiverException]. */
internal inline fun <T> translated(block: () -> T): T =
    try {
        block()
    } catch (e: ActivationException) {
        throw e.toAktiver()
    }
