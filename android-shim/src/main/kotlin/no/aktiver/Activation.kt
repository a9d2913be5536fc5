package no.aktiver

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.withContext
import no.aktiver.ffi.Action
import no.aktiver.ffi.ActivationConfig
import no.aktiver.ffi.Capabilities
import no.aktiver.ffi.IdDocument
import no.aktiver.ffi.Method
import no.aktiver.ffi.ObserveHandle
import no.aktiver.ffi.Screen
import no.aktiver.ffi.ScreenListener
import no.aktiver.ffi.ScreenView
import no.aktiver.ffi.startActivation
import java.io.Closeable
import java.util.concurrent.atomic.AtomicBoolean
import no.aktiver.ffi.Activation as FfiActivation

/**
 * One activation: the core owns the workflow, the app draws [screen] and
 * calls the actions.
 *
 * - [screen] (and [view], with the texts and the actions the screen takes)
 *   is a [StateFlow]: collect it in the UI.
 * - Actions are `suspend` functions that run on [dispatcher] (never on the
 *   caller's thread, so never on the main thread) and return the screen the
 *   flow waits on next. Cancelling the coroutine interrupts work in progress
 *   in the core (the chip read, the face check) as the user's Back would.
 * - [close] releases the object; the activation stays saved in secure
 *   storage and [start] with the same capabilities resumes it.
 *
 * Errors are [AktiverException]s; the platform capabilities report theirs
 * by throwing `CapabilityException` (anything else they throw arrives in the
 * core as `CapabilityException.Failed`).
 */
public class Activation private constructor(
    private val inner: FfiActivation,
    private val dispatcher: CoroutineDispatcher,
) : Closeable {
    private val views = MutableStateFlow(translated { inner.current() })
    private val screens = MutableStateFlow(views.value.screen)
    private val closed = AtomicBool()

    /** The current screen with its texts and actions. */
    public val view: StateFlow<ScreenView> = views.asStateFlow()

    /** The current screen. */
    public val screen: StateFlow<Screen> = screens.asStateFlow()

    // The core calls the listener on its own threads, in order; a StateFlow
    // takes values from any thread.
    private val subscription: ObserveHandle =
        translated {
            inner.observe(
                object : ScreenListener {
                    override fun onScreen(view: ScreenView) {
                        views.value = view
                        screens.value = view.screen
                    }
                },
            )
        }

    public companion object {
        /**
         * Starts an activation, or resumes the one saved in the
         * capabilities' secure storage. [dispatcher] runs every call into
         * the core (default [Dispatchers.IO]).
         */
        public suspend fun start(
            config: ActivationConfig,
            capabilities: Capabilities,
            dispatcher: CoroutineDispatcher = Dispatchers.IO,
        ): Activation =
            withContext(dispatcher) {
                val inner = translated { startActivation(config, capabilities) }
                try {
                    Activation(inner, dispatcher)
                } catch (e: Throwable) {
                    inner.release()
                    inner.destroy()
                    throw e
                }
            }
    }

    // uniffi's generated suspend functions resume on whichever thread the
    // Rust future wakes; withContext puts the call and its continuation on
    // our dispatcher (the pattern matrix-rust-sdk's Kotlin SDK uses).
    private suspend fun <T> call(block: suspend () -> T): T {
        if (closed.isSet()) throw AktiverException.Closed()
        return withContext(dispatcher) {
            try {
                block()
            } catch (e: no.aktiver.ffi.ActivationException) {
                throw e.toAktiver()
            } catch (e: IllegalStateException) {
                // The generated object refuses calls once destroyed.
                if (closed.isSet()) throw AktiverException.Closed(e)
                throw e
            }
        }
    }

    /** Performs [action]; returns the screen the flow waits on next. */
    public suspend fun act(action: Action): ScreenView = call { inner.act(action) }

    public suspend fun getStarted(): ScreenView = act(Action.GetStarted)

    public suspend fun myBankId(): ScreenView = act(Action.MyBankId)

    public suspend fun activateApp(): ScreenView = act(Action.ActivateApp)

    public suspend fun submitNationalId(value: String): ScreenView = act(Action.SubmitNationalId(value))

    public suspend fun submitPhone(value: String): ScreenView = act(Action.SubmitPhone(value))

    public suspend fun submitSmsCode(code: String): ScreenView = act(Action.SubmitSmsCode(code))

    public suspend fun resendCode(): ScreenView = act(Action.ResendCode)

    public suspend fun chooseMethod(method: Method): ScreenView = act(Action.ChooseMethod(method))

    public suspend fun chooseDocument(document: IdDocument): ScreenView = act(Action.ChooseDocument(document))

    public suspend fun submitCodeUnit(otp: String, password: String): ScreenView =
        act(Action.SubmitCodeUnit(otp, password))

    public suspend fun submitActivationCode(code: String): ScreenView = act(Action.SubmitActivationCode(code))

    /** Live policy feedback while the new password is typed (no network). */
    public suspend fun draftPassword(password: String, repeat: String): ScreenView =
        act(Action.DraftPassword(password, repeat))

    public suspend fun submitNewPassword(password: String, repeat: String, current: String? = null): ScreenView =
        act(Action.SubmitNewPassword(password, repeat, current))

    public suspend fun setPasswordVisible(visible: Boolean): ScreenView = act(Action.SetPasswordVisible(visible))

    public suspend fun setAccepted(accepted: Boolean): ScreenView = act(Action.SetAccepted(accepted))

    public suspend fun signAgreement(password: String): ScreenView = act(Action.SignAgreement(password))

    /** The screen's affirmative button (continue, I have everything, allow, activate ...). */
    public suspend fun proceed(): ScreenView = act(Action.Continue)

    public suspend fun notNow(): ScreenView = act(Action.NotNow)

    public suspend fun retry(): ScreenView = act(Action.Retry)

    public suspend fun back(): ScreenView = act(Action.Back)

    /** The user ends the activation: the server session is cancelled, the screen is `Cancelled`. */
    public suspend fun cancel(): ScreenView = call { inner.cancel() }

    /**
     * A camera frame on the MRZ scan screen (or the activation-code QR
     * camera): an 8-bit luma plane with [rowStride] bytes per row, to be
     * rotated clockwise by [rotationDegrees] to stand upright. Returns the
     * scanner's feedback (`hold_still`, `glare`, `move_closer` ...).
     */
    public suspend fun submitFrame(
        luma: ByteArray,
        width: Int,
        height: Int,
        rowStride: Int = width,
        rotationDegrees: Int = 0,
    ): String {
        require(width > 0 && height > 0 && rowStride >= width) { "frame geometry" }
        require(rotationDegrees in setOf(0, 90, 180, 270)) { "rotationDegrees: 0, 90, 180 or 270" }
        return call {
            inner.submitFrame(luma, width.toUInt(), height.toUInt(), rowStride.toUInt(), rotationDegrees.toUInt())
        }
    }

    /** Releases the native object; later calls throw [AktiverException.Closed]. Idempotent. */
    override fun close() {
        if (!closed.set()) return
        subscription.cancel()
        subscription.destroy()
        inner.release()
        inner.destroy()
    }

    override fun toString(): String = "Activation(screen=${view.value.name})"
}

/** A flag that is set once. */
private class AtomicBool {
    private val value = AtomicBoolean(false)

    /** Sets it; false if it was set already. */
    fun set(): Boolean = value.compareAndSet(false, true)

    fun isSet(): Boolean = value.get()
}
