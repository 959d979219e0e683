import vine, { SimpleMessagesProvider } from '@vinejs/vine'

/** Messages people read under form fields: plain words, no rule names. */
vine.messagesProvider = new SimpleMessagesProvider(
  {
    'required': 'Please fill in this field',
    'string': 'Please enter text',
    'email': 'Please enter a valid email address',
    'minLength': 'Must be at least {{ min }} characters',
    'maxLength': 'Must be at most {{ max }} characters',
    'confirmed': 'The two passwords do not match',
    'enum': 'Please choose one of the options',
    'database.unique': 'This {{ field }} is already taken',
    'database.exists': 'No such {{ field }}',
    'name.regex': 'Use lower-case letters, digits, "-" and "_" only, starting with a letter or digit',
    'body.required': 'Write something first',
    'body.minLength': 'Write something first',
    'body.maxLength': 'Messages are limited to {{ max }} characters',
    'peerUserId.database.exists': 'This person is not another participant of this call',
  },
  {
    fullName: 'name',
    email: 'email',
    passwordConfirmation: 'password confirmation',
    name: 'channel name',
    userId: 'user',
  }
)
