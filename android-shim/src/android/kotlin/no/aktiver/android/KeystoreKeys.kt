package no.aktiver.android

import android.content.Context
import android.content.pm.PackageManager
import android.hardware.biometrics.BiometricManager
import android.hardware.biometrics.BiometricPrompt
import android.os.CancellationSignal
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import android.security.keystore.StrongBoxUnavailableException
import no.aktiver.ffi.CapabilityException
import no.aktiver.ffi.DeviceKeys
import java.security.KeyPairGenerator
import java.security.KeyStore
import java.security.PrivateKey
import java.security.Signature
import java.security.spec.ECGenParameterSpec
import java.util.concurrent.CountDownLatch
import java.util.concurrent.Executor
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicReference

/**
 * P-256 keys in the Android Keystore: in StrongBox where the phone has one,
 * else in the TEE. A biometric-bound key is usable only after a strong
 * biometric, asked for on every signature with the framework's
 * [BiometricPrompt] (API 30+; AndroidX is not needed).
 *
 * [promptHost] supplies what the prompt needs at signing time (the
 * foreground Activity's context and main executor, the texts).
 */
public class KeystoreKeys(
    private val context: Context,
    private val promptHost: BiometricPromptHost,
) : DeviceKeys {
    private val keyStore: KeyStore = KeyStore.getInstance(ANDROID_KEYSTORE).apply { load(null) }
    private val showing = AtomicReference<CancellationSignal?>(null)
    private val cancelled = java.util.concurrent.atomic.AtomicBoolean(false)

    /** Whether keys go into StrongBox. */
    public val strongBox: Boolean =
        context.packageManager.hasSystemFeature(PackageManager.FEATURE_STRONGBOX_KEYSTORE)

    override fun create(alias: String, biometric: Boolean): ByteArray {
        if (biometric) {
            val bm = context.getSystemService(BiometricManager::class.java)
            if (bm?.canAuthenticate(BiometricManager.Authenticators.BIOMETRIC_STRONG) != BiometricManager.BIOMETRIC_SUCCESS) {
                throw CapabilityException.Unavailable("no strong biometric enrolled")
            }
        }
        keyStore.deleteEntry(alias)
        return try {
            generate(alias, biometric, strongBox)
        } catch (e: StrongBoxUnavailableException) {
            generate(alias, biometric, false)
        } catch (e: Exception) {
            throw CapabilityException.Failed("key generation: ${e.javaClass.simpleName}")
        }
    }

    private fun generate(alias: String, biometric: Boolean, inStrongBox: Boolean): ByteArray {
        val spec =
            KeyGenParameterSpec
                .Builder(alias, KeyProperties.PURPOSE_SIGN)
                .setAlgorithmParameterSpec(ECGenParameterSpec("secp256r1"))
                .setDigests(KeyProperties.DIGEST_SHA256)
                .setIsStrongBoxBacked(inStrongBox)
                .apply {
                    if (biometric) {
                        setUserAuthenticationRequired(true)
                        // 0 s: every use needs its own biometric authentication.
                        setUserAuthenticationParameters(0, KeyProperties.AUTH_BIOMETRIC_STRONG)
                        setInvalidatedByBiometricEnrollment(true)
                    }
                }.build()
        val gen = KeyPairGenerator.getInstance(KeyProperties.KEY_ALGORITHM_EC, ANDROID_KEYSTORE)
        gen.initialize(spec)
        // X.509 SubjectPublicKeyInfo DER, as the core expects.
        return gen.generateKeyPair().public.encoded
    }

    override fun sign(alias: String, message: ByteArray): ByteArray {
        val key =
            keyStore.getKey(alias, null) as? PrivateKey
                ?: throw CapabilityException.Failed("no such key")
        val signature = Signature.getInstance("SHA256withECDSA")
        try {
            signature.initSign(key)
        } catch (e: android.security.keystore.KeyPermanentlyInvalidatedException) {
            throw CapabilityException.Unavailable("the key was invalidated by a biometric change")
        } catch (e: android.security.keystore.UserNotAuthenticatedException) {
            authenticate(signature)
        }
        if (needsAuthentication(key)) authenticate(signature)
        signature.update(message)
        return signature.sign()
    }

    private fun needsAuthentication(key: PrivateKey): Boolean {
        val factory = java.security.KeyFactory.getInstance(key.algorithm, ANDROID_KEYSTORE)
        val info = factory.getKeySpec(key, android.security.keystore.KeyInfo::class.java)
        return info.isUserAuthenticationRequired
    }

    /** Shows the biometric prompt for this signature and waits (the core calls from a background thread). */
    private fun authenticate(signature: Signature) {
        val done = CountDownLatch(1)
        val outcome = AtomicReference<CapabilityException?>(null)
        val cancel = CancellationSignal()
        cancelled.set(false)
        showing.set(cancel)
        val prompt =
            BiometricPrompt
                .Builder(promptHost.context())
                .setTitle(promptHost.title())
                .setAllowedAuthenticators(BiometricManager.Authenticators.BIOMETRIC_STRONG)
                .setNegativeButton(promptHost.cancelText(), promptHost.executor()) { _, _ ->
                    outcome.set(CapabilityException.Declined())
                    done.countDown()
                }.build()
        prompt.authenticate(
            BiometricPrompt.CryptoObject(signature),
            cancel,
            promptHost.executor(),
            object : BiometricPrompt.AuthenticationCallback() {
                override fun onAuthenticationSucceeded(result: BiometricPrompt.AuthenticationResult) {
                    done.countDown()
                }

                override fun onAuthenticationError(errorCode: Int, errString: CharSequence) {
                    outcome.set(
                        if (cancelled.get()) {
                            CapabilityException.Cancelled()
                        } else if (errorCode == BiometricPrompt.BIOMETRIC_ERROR_USER_CANCELED ||
                            errorCode == BiometricPrompt.BIOMETRIC_ERROR_CANCELED
                        ) {
                            CapabilityException.Declined()
                        } else {
                            CapabilityException.Failed("biometric error $errorCode")
                        },
                    )
                    done.countDown()
                }
            },
        )
        try {
            if (!done.await(2, TimeUnit.MINUTES)) {
                cancel.cancel()
                throw CapabilityException.Declined()
            }
        } finally {
            showing.set(null)
        }
        outcome.get()?.let { throw it }
    }

    /** The core stops a signature in progress (the user pressed Back or Cancel): the prompt goes away. */
    override fun cancel() {
        cancelled.set(true)
        showing.get()?.cancel()
    }

    override fun delete(alias: String) {
        keyStore.deleteEntry(alias)
    }

    private companion object {
        const val ANDROID_KEYSTORE = "AndroidKeyStore"
    }
}

/** What the biometric prompt needs from the app's foreground Activity. */
public interface BiometricPromptHost {
    public fun context(): Context

    public fun executor(): Executor

    public fun title(): CharSequence

    public fun cancelText(): CharSequence
}
