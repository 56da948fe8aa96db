#include "infra/amqp/amqp_connection.hpp"

#include <amqp.h>
#include <amqp_ssl_socket.h>
#include <amqp_tcp_socket.h>
#include <sys/time.h>

#include <vector>

namespace gm::infra::amqp {
namespace {

constexpr amqp_channel_t kChannel = 1;
constexpr int kFrameMax = 131072;

timeval ToTimeval(std::chrono::milliseconds duration) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(duration);
  return {static_cast<time_t>(seconds.count()),
          static_cast<suseconds_t>(std::chrono::duration_cast<std::chrono::microseconds>(duration - seconds).count())};
}

std::string Text(amqp_bytes_t bytes) { return {static_cast<const char*>(bytes.bytes), bytes.len}; }

amqp_bytes_t Bytes(const std::string& text) { return {text.size(), const_cast<char*>(text.data())}; }

std::string CloseReason(const amqp_method_t& method) {
  if (method.id == AMQP_CHANNEL_CLOSE_METHOD) {
    const auto* close = static_cast<const amqp_channel_close_t*>(method.decoded);
    return "channel closed by the broker: " + std::to_string(close->reply_code) + " " + Text(close->reply_text);
  }
  if (method.id == AMQP_CONNECTION_CLOSE_METHOD) {
    const auto* close = static_cast<const amqp_connection_close_t*>(method.decoded);
    return "connection closed by the broker: " + std::to_string(close->reply_code) + " " + Text(close->reply_text);
  }
  return std::string("unexpected method ") + amqp_method_name(method.id);
}

}  // namespace

struct AmqpConnection::State {
  amqp_connection_state_t connection = amqp_new_connection();
  bool open = false;  // logged in, channel open: worth closing politely

  ~State() { amqp_destroy_connection(connection); }

  [[noreturn]] void Fail(const std::string& what, const std::string& why) {
    open = false;  // a refusal closes the channel; a library fault leaves the connection unusable
    throw AmqpError("amqp: " + what + ": " + why);
  }

  void Check(amqp_rpc_reply_t reply, const std::string& what) {
    switch (reply.reply_type) {
      case AMQP_RESPONSE_NORMAL:
        return;
      case AMQP_RESPONSE_NONE:
        Fail(what, "no reply");
      case AMQP_RESPONSE_LIBRARY_EXCEPTION:
        Fail(what, amqp_error_string2(reply.library_error));
      case AMQP_RESPONSE_SERVER_EXCEPTION:
        Fail(what, CloseReason(reply.reply));
    }
    Fail(what, "unknown reply");
  }
  void Check(int status, const std::string& what) {
    if (status != AMQP_STATUS_OK) Fail(what, amqp_error_string2(status));
  }
  void CheckLastRpc(const std::string& what) { Check(amqp_get_rpc_reply(connection), what); }
};

AmqpConnection::AmqpConnection(const std::string& uri, std::chrono::seconds heartbeat,
                               std::chrono::milliseconds timeout)
    : state_(std::make_unique<State>()) {
  std::vector<char> text(uri.begin(), uri.end());  // amqp_parse_url writes into it, and `info` points there
  text.push_back('\0');
  amqp_connection_info info{};
  amqp_default_connection_info(&info);
  if (amqp_parse_url(text.data(), &info) != AMQP_STATUS_OK) throw AmqpError("amqp: cannot parse the URI");
  amqp_socket_t* socket =
      info.ssl ? amqp_ssl_socket_new(state_->connection) : amqp_tcp_socket_new(state_->connection);
  if (socket == nullptr) throw AmqpError("amqp: cannot make a socket");
  if (info.ssl) {
    amqp_ssl_socket_set_verify_peer(socket, 1);
    amqp_ssl_socket_set_verify_hostname(socket, 1);
  }
  timeval limit = ToTimeval(timeout);
  const std::string where = std::string(info.host) + ":" + std::to_string(info.port);
  state_->Check(amqp_socket_open_noblock(socket, info.host, info.port, &limit), "connect to " + where);
  state_->Check(amqp_set_handshake_timeout(state_->connection, &limit), "handshake timeout");
  state_->Check(amqp_set_rpc_timeout(state_->connection, &limit), "call timeout");
  state_->Check(amqp_login(state_->connection, info.vhost, 0, kFrameMax, static_cast<int>(heartbeat.count()),
                           AMQP_SASL_METHOD_PLAIN, info.user, info.password),
                "log in to " + where);
  amqp_channel_open(state_->connection, kChannel);
  state_->CheckLastRpc("open a channel");
  state_->open = true;
}

AmqpConnection::~AmqpConnection() {
  if (!state_->open) return;
  amqp_channel_close(state_->connection, kChannel, AMQP_REPLY_SUCCESS);
  amqp_connection_close(state_->connection, AMQP_REPLY_SUCCESS);
}

namespace {

// Entries that point into `arguments`, which must outlive the table.
std::vector<amqp_table_entry_t> Entries(const Arguments& arguments) {
  std::vector<amqp_table_entry_t> entries;
  for (const auto& [key, value] : arguments) {
    amqp_table_entry_t entry{};
    entry.key = Bytes(key);
    if (const auto* text = std::get_if<std::string>(&value)) {
      entry.value.kind = AMQP_FIELD_KIND_UTF8;
      entry.value.value.bytes = Bytes(*text);
    } else {
      entry.value.kind = AMQP_FIELD_KIND_I64;
      entry.value.value.i64 = std::get<std::int64_t>(value);
    }
    entries.push_back(entry);
  }
  return entries;
}

}  // namespace

void AmqpConnection::DeclareQueue(const std::string& name, const Arguments& arguments) {
  auto entries = Entries(arguments);
  const amqp_table_t table{static_cast<int>(entries.size()), entries.data()};
  amqp_queue_declare(state_->connection, kChannel, Bytes(name), 0, 1, 0, 0, table);
  state_->CheckLastRpc("declare queue " + name);
}

std::uint32_t AmqpConnection::CheckQueue(const std::string& name) {
  const auto* ok = amqp_queue_declare(state_->connection, kChannel, Bytes(name), 1, 0, 0, 0, amqp_empty_table);
  state_->CheckLastRpc("find queue " + name);
  return ok->message_count;
}

void AmqpConnection::DeleteQueue(const std::string& name) {
  amqp_queue_delete(state_->connection, kChannel, Bytes(name), 0, 0);
  state_->CheckLastRpc("delete queue " + name);
}

void AmqpConnection::DeclareExchange(const std::string& name, const std::string& type) {
  amqp_exchange_declare(state_->connection, kChannel, Bytes(name), Bytes(type), 0, 1, 0, 0, amqp_empty_table);
  state_->CheckLastRpc("declare exchange " + name);
}

std::string AmqpConnection::DeclareExclusiveQueue() {
  const auto* ok = amqp_queue_declare(state_->connection, kChannel, amqp_empty_bytes, 0, 0, 1, 1, amqp_empty_table);
  state_->CheckLastRpc("declare this connection's queue");
  return Text(ok->queue);
}

void AmqpConnection::Bind(const std::string& queue, const std::string& exchange, const std::string& routing_key) {
  amqp_queue_bind(state_->connection, kChannel, Bytes(queue), Bytes(exchange), Bytes(routing_key), amqp_empty_table);
  state_->CheckLastRpc("bind " + queue + " to " + exchange);
}

void AmqpConnection::EnableConfirms() {
  amqp_confirm_select(state_->connection, kChannel);
  state_->CheckLastRpc("turn publisher confirms on");
  next_sequence_ = 1;
}

std::uint64_t AmqpConnection::Publish(const std::string& exchange, const std::string& routing_key,
                                      const std::string& body) {
  amqp_basic_properties_t properties{};
  properties._flags = AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_CONTENT_TYPE_FLAG;
  properties.delivery_mode = AMQP_DELIVERY_PERSISTENT;
  properties.content_type = amqp_cstring_bytes("text/plain");
  state_->Check(amqp_basic_publish(state_->connection, kChannel, Bytes(exchange), Bytes(routing_key), 0, 0,
                                   &properties, Bytes(body)),
                "publish to " + routing_key);
  return next_sequence_ == 0 ? 0 : next_sequence_++;
}

void AmqpConnection::Prefetch(std::uint16_t count) {
  amqp_basic_qos(state_->connection, kChannel, 0, count, 0);
  state_->CheckLastRpc("set the prefetch");
}

void AmqpConnection::Consume(const std::string& queue, bool no_ack) {
  amqp_basic_consume(state_->connection, kChannel, Bytes(queue), amqp_empty_bytes, 0, no_ack ? 1 : 0, 0,
                     amqp_empty_table);
  state_->CheckLastRpc("consume from " + queue);
}

std::optional<Delivery> AmqpConnection::Get(const std::string& queue) {
  amqp_maybe_release_buffers(state_->connection);
  const auto reply = amqp_basic_get(state_->connection, kChannel, Bytes(queue), 0);
  state_->Check(reply, "get from " + queue);
  if (reply.reply.id != AMQP_BASIC_GET_OK_METHOD) return std::nullopt;  // basic.get-empty
  const auto* ok = static_cast<const amqp_basic_get_ok_t*>(reply.reply.decoded);
  Delivery delivery{ok->delivery_tag, {}, ok->redelivered != 0, Text(ok->routing_key), Text(ok->exchange)};
  amqp_message_t message{};
  state_->Check(amqp_read_message(state_->connection, kChannel, &message, 0), "read a message of " + queue);
  delivery.body = Text(message.body);
  amqp_destroy_message(&message);
  return delivery;
}

AmqpConnection::Incoming AmqpConnection::Next(std::chrono::milliseconds timeout) {
  amqp_maybe_release_buffers(state_->connection);
  amqp_envelope_t envelope{};
  timeval limit = ToTimeval(timeout);
  const auto reply = amqp_consume_message(state_->connection, &envelope, &limit, 0);
  if (reply.reply_type == AMQP_RESPONSE_NORMAL) {
    Delivery delivery{envelope.delivery_tag, Text(envelope.message.body), envelope.redelivered != 0,
                      Text(envelope.routing_key), Text(envelope.exchange)};
    amqp_destroy_envelope(&envelope);
    return delivery;
  }
  if (reply.reply_type != AMQP_RESPONSE_LIBRARY_EXCEPTION) state_->Check(reply, "wait for the broker");
  if (reply.library_error == AMQP_STATUS_TIMEOUT) return std::monostate{};
  if (reply.library_error != AMQP_STATUS_UNEXPECTED_STATE) state_->Check(reply, "wait for the broker");

  // Something other than a delivery came: it waits, read, in the buffer.
  amqp_frame_t frame{};
  state_->Check(amqp_simple_wait_frame(state_->connection, &frame), "read from the broker");
  if (frame.frame_type != AMQP_FRAME_METHOD) return std::monostate{};
  const amqp_method_t& method = frame.payload.method;
  switch (method.id) {
    case AMQP_BASIC_ACK_METHOD: {
      const auto* ack = static_cast<const amqp_basic_ack_t*>(method.decoded);
      return Confirm{ack->delivery_tag, ack->multiple != 0, true};
    }
    case AMQP_BASIC_NACK_METHOD: {
      const auto* nack = static_cast<const amqp_basic_nack_t*>(method.decoded);
      return Confirm{nack->delivery_tag, nack->multiple != 0, false};
    }
    case AMQP_BASIC_RETURN_METHOD: {  // only mandatory publishes come back, and none is: read it past
      amqp_message_t message{};
      state_->Check(amqp_read_message(state_->connection, frame.channel, &message, 0), "read a returned message");
      amqp_destroy_message(&message);
      return std::monostate{};
    }
    default:
      state_->Fail("wait for the broker", CloseReason(method));
  }
}

int AmqpConnection::Socket() const { return amqp_get_sockfd(state_->connection); }

bool AmqpConnection::HasBuffered() const {
  return amqp_data_in_buffer(state_->connection) != 0 || amqp_frames_enqueued(state_->connection) != 0;
}

void AmqpConnection::Ack(std::uint64_t tag) {
  state_->Check(amqp_basic_ack(state_->connection, kChannel, tag, 0), "acknowledge a delivery");
}

void AmqpConnection::Reject(std::uint64_t tag, bool requeue) {
  state_->Check(amqp_basic_reject(state_->connection, kChannel, tag, requeue ? 1 : 0), "reject a delivery");
}

}  // namespace gm::infra::amqp
