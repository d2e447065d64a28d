package io.cages.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/** Starts a {@link CageHost} for a test that asks for one and closes it after the test. */
final class CageHostExtension implements ParameterResolver, AfterEachCallback {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(CageHostExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == CageHost.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        ExtensionContext.Store store = context.getStore(NAMESPACE);
        CageHost existing = store.get(CageHost.class, CageHost.class);
        if (existing != null) {
            return existing;
        }
        boolean deploy = AnnotationSupport.findAnnotation(context.getRequiredTestClass(), CageTest.class)
                .map(CageTest::deploy).orElse(true);
        try {
            Path dir = Files.createTempDirectory("cage-test-");
            CageHost host = CageHost.start(dir, CageProject.current());
            store.put(CageHost.class, host);
            if (deploy) {
                host.deployProject();
            }
            return host;
        } catch (Exception e) {
            throw new ParameterResolutionException("cannot start a cage host for " + context.getDisplayName() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        CageHost host = context.getStore(NAMESPACE).remove(CageHost.class, CageHost.class);
        if (host != null) {
            host.close();
        }
    }
}
