package io.cages.resources.jms.internal;

import java.util.Map;
import javax.jms.BytesMessage;
import javax.jms.JMSException;
import javax.jms.Message;
import javax.jms.Session;
import javax.jms.TextMessage;

/** Builds and reads messages the same way for the resource and the transport. */
public final class Messages {

    private Messages() {
    }

    public static Message text(Session session, String text, Map<String, String> properties) throws JMSException {
        return withProperties(session.createTextMessage(text), properties);
    }

    public static Message bytes(Session session, byte[] body, Map<String, String> properties) throws JMSException {
        BytesMessage m = session.createBytesMessage();
        m.writeBytes(body);
        return withProperties(m, properties);
    }

    private static Message withProperties(Message m, Map<String, String> properties) throws JMSException {
        if (properties != null) {
            for (Map.Entry<String, String> e : properties.entrySet()) {
                m.setStringProperty(e.getKey(), e.getValue());
            }
        }
        return m;
    }

    /** The body as bytes: text as UTF-8, bytes as they are, anything else empty. */
    public static byte[] body(Message m) throws JMSException {
        if (m instanceof TextMessage t) {
            String text = t.getText();
            return text == null ? new byte[0] : text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        if (m instanceof BytesMessage b) {
            b.reset();
            byte[] out = new byte[(int) b.getBodyLength()];
            b.readBytes(out);
            return out;
        }
        return new byte[0];
    }
}
