"""The phrases the task rules look for: commitments, requests, answers, done / cancel / reassign words, and the fillers trimmed from task text."""

from __future__ import annotations

import re
from datetime import timedelta

# How far back a reply like "sure" or "I'll do it" may reach for the request it answers.
RESPONSE_WINDOW_MESSAGES = 8
RESPONSE_WINDOW = timedelta(hours=6)
# How far back a bare "done" from the owner may reach for their task.
DONE_WINDOW_MESSAGES = 40
MAX_TASK_WORDS = 16
CONTEXT_WORDS = 12

HEDGES = re.compile(r"\b(?:probably|maybe|might|perhaps|possibly|hopefully|prob|idk|not sure)\b")
JOKE = re.compile(
    r"\b(?:lol|lmao|lmfao|rofl|jk|j/k|haha+|hehe+|kidding|joking)\b|/s\b|[\U0001F602\U0001F923\U0001F606\U0001F61C\U0001F61D\U0001F92A]"
    # Chat idioms that are teasing, not plans: "touch grass", "I'll die on this hill".
    r"|\btouch(?:ing)? (?:some )?grass\b|\bskill issue\b|\bngmi\b|\bwagmi\b|\bdie on this hill\b|\bcope harder\b"
)
HYPOTHETICAL = re.compile(
    r"^(?:\W*)(?:if|unless|what if|in theory|ideally|in an ideal world|someday|one day|imagine)\b"
    r"|\bi'd\b|\bid\s+(?:rather|like|love|prefer|say|go|do|be|need|want|have|probably|just|never|also|hate|think)\b|\bi would\b|\bwould(?:'ve| have)\b|\bif (?:we|i|you|they|it) (?:had|were|could|did)\b"
    r"|\bsomeday\b|\bone day\b|\bif it were up to me\b"
    # "I'll buy the new dlc when it's on sale": a purchase waiting on a price, the member's own.
    r"|\bwhen (?:it's|it is|it goes|they're|they go) on sale\b|\bwhen (?:it|the price) drops\b"
    # "I'll give you that": conceding a point.
    r"|\bi'?ll (?:give|grant) you that\b"
)
NEGATION = re.compile(
    r"\b(?:not|never|no longer|don't|dont|won't|wont|can't|cant|cannot|isn't|hasn't|haven't|hadn't|didn't|wasn't)\b|n't\b"
)

COMMITMENT = re.compile(
    r"(?:^|(?<=[\s,:(]))(?P<trigger>i'll|i will|i'm going to|im going to|i am going to|i'm gonna|im gonna|i am gonna"
    r"|i shall|i can|let me|lemme|i need to|i have to|i've got to|i gotta|i must|i'm about to|i still need to|i still have to"
    # "ill take amines": typed fast (only before a verb of work: "feeling ill today" is not one)
    r"|ill"
    # "ok i take it": taking what was just passed on
    r"|i(?=\s+take\s+(?:it|this|that|them|over)\b))\s+"
    r"(?P<rest>.+)$",
    re.IGNORECASE,
)
SUBJECTLESS = re.compile(
    r"^(?P<trigger>will|gonna|going to|can)\s+(?!(?:you|u|ya|someone|somebody|anyone|anybody|everyone|we|i|they|he|she)\b)(?P<rest>.+)$",
    re.IGNORECASE,
)
# "dbt models are 70% converted, will finish tomorrow": a report, then the rest promised, with its day.
PROGRESS_THEN_PROMISE = re.compile(
    r"(?:\b\d+\s*%|\b(?:halfway|half done|almost|nearly|mostly|started)\b)[^.!?]*?,\s+(?:will|gonna|going to)\s+(?P<rest>[a-z][\w'-]*\b.*)$",
    re.IGNORECASE,
)
# "uploading it to the steam page tonight": work under way, said with when it happens.
DOING_WHEN = re.compile(
    r"^\W*(?:(?:ok|okay|so|legends?|love it|nice|cool|great)\W+)*(?P<verb>[a-z]+ing)\s+(?P<rest>(?:it|them|everything|the|my|our|this|that)\b.*?"
    r"\b(?:tonight|tomorrow|tmrw|today|at lunch|after lunch|this (?:afternoon|evening|morning)|later today|in the morning)\b.*)$",
    re.IGNORECASE,
)
LIST_PREFIX = re.compile(r"^(?P<prefix>todo|to do|to-do|t|today|next|action items?|ai)\s*:\s*(?P<rest>.+)$", re.IGNORECASE)
REQUEST = re.compile(
    r"(?:^|(?<=[\s,:(]))(?:(?:so|and|also|hey|then|ok|okay|hmm|btw|pls|please)\W+)*"
    r"(?:would (?P<who6>you|u) be (?:able|ok|okay|willing|free|happy) to"
    r"|(?:can|could|would|will)\s+(?P<who>you all|you guys|you both|y'all|yall|one of (?:you|ye|yous|u)|ye|you|u|ya|someone|somebody|anyone|anybody|everyone)"
    r"|(?:are|r)\s+(?P<who2>you|u)\s+able\s+to|any chance (?P<who3>you|u|someone|anyone)\s+(?:could|can)"
    r"|do (?P<who4>you|u) have (?:the )?(?:time|bandwidth|capacity|a sec|a minute) to"
    r"|(?:are|r) (?P<who5>you|u) (?:ok|okay|good|free|around|up for|happy|willing) (?:to|for))"
    r"\s+(?P<rest>.+)$",
    re.IGNORECASE,
)
MIND = re.compile(r"(?:would you |do you |)mind (?P<ger>\w+ing)\b(?P<rest>.*)$", re.IGNORECASE)
PLEASE = re.compile(
    r"^(?:(?:also|and|then|ok|okay|so|hey)\s+)*(?:please|pls|plz)\s+(?:(?:also|just|quickly)\s+)*(?P<rest>.+)$",
    re.IGNORECASE,
)
# "you still need to level Brakka up": what the addressee has to do, said as their obligation.
YOU_NEED_TO = re.compile(
    r"^\W*(?:(?:and|also|so|btw)\W+)?(?:you|u)\s+(?:still\s+|also\s+)?(?:(?:need|have|got)\s+to|must|gotta)\s+(?P<rest>.+)$",
    re.IGNORECASE,
)
# "drinks on me", "snacks are on me": taking a need on.
ON_ME = re.compile(r"\b(?:is|are|'s)?\s*on me\b|\bi(?:'ve| have)? got (?:the|them|it|that)\b", re.IGNORECASE)
# Talk about a task that is not a report of it finished: plans, hedges, claims, problems.
NOT_FINISHED_TALK = re.compile(
    r"\b(?:maybe|probably|might|hopefully|soon|later|tomorrow|tonight|next|plan|planning|want|wants|should|could|would|if|when|"
    r"once|mine|yours|ignore|same|duplicate|yet|again|broken|fails?|failing|error|errors|crash|crashes|crashing|keeps|bug|issue|stuck|blocked|"
    r"waiting|wait|need|needs|idea|thinking|think|wonder|question|on time|on track|ongoing|in progress|started|going|fine|"
    # "mockups by friday morning is tight but ok": a deadline talked about, not the work finished
    r"by|before|until|tight|tricky|hard)\b",
    re.IGNORECASE,
)
STILL_TO_DO = re.compile(
    r"\bstill (?:need|needs|to do|have to|has to|missing)\b|\b(?:have|need) to (?:repeat|redo)\b|\bi still need\b"
    # "zenodo upload is ~80%": the rest of it is still to come.
    r"|\b(?:is|at)\s+~\d{1,2}\s*%",
    re.IGNORECASE,
)
# "nia don't print them yet", "no need to book it": the work called off by its verb.
STOP_DOING = re.compile(r"\b(?:don't|dont|do not|no need to|stop)\s+(?P<verb>[a-z]+)\b", re.IGNORECASE)
TRAILING_PLEASE = re.compile(r"^\W*(?P<rest>[a-z][\w'-]*(?:\s+[^,.!?]{1,60}?)?)\s*,?\s+(?:please|pls|plz)\b", re.IGNORECASE)
SOMEONE = re.compile(
    # "someone should ..." is a hypothetical (JUDGING.md), not a request.
    r"(?:^|(?<=[\s,:(]))(?:(?:someone|somebody|anyone)(?: else)? (?:needs to|has to|must|pls|please|to)"
    # "someone else do drinks pls": an imperative for whoever takes it.
    r"|(?:someone|somebody) else(?= \w+ .*\b(?:pls|please|plz)\b)"
    r"|(?:we|i) need (?:someone|somebody) to"
    r"|(?:any )?volunteers? (?:to|for)"
    r"|(?:anyone|anybody) (?:able|willing|want|wants) to"
    r"|(?:^|(?<=[,;:.!?] )|(?<=[,;:]))(?:who(?:'s| is| will| can| could| wants to| is going to)|is (?:someone|somebody|anyone|anybody)"
    # "whose week is bins??": whose turn the work is
    r"|whose (?:turn|week|job|day) is(?: it to)?)"
    r"(?P<who_ing> \w+ing)?(?=.*\?))\s+(?P<rest>.+)$",
    re.IGNORECASE,
)
WE_NEED = re.compile(
    r"(?:^|[,:;(]\s*|\b(?:and|but|so|then|ok|okay|now|also|yeah|well)\s+)we (?:really |still |also )?(?:need to|have to|must|gotta|'ll need to|will need to)\s+(?P<rest>.+)$",
    re.IGNORECASE,
)
THIRD_PERSON = re.compile(
    r"^@(?P<handle>\w+)\W*(?:will|'ll|is going to|is gonna|to|can|should|you'll|you will|you can|you should)\s+"
    r"(?!have\b[^.!?]{1,60}?\bnow\b)(?P<rest>.+)$",  # "@joe you should have jira admin now": done, not asked
    re.IGNORECASE,
)

# "could @elif recalibrate the plate reader?", "can @bob take the notes": the ask, the person named in it.
ASKED_BY_MENTION = re.compile(
    r"(?:^|(?<=[\s,.!]))(?:so\s+|also\s+|and\s+|ok\s+)?(?:can|could|would|will)\s+@(?P<handle>\w+)\s+(?:please\s+|pls\s+)?(?P<rest>[a-z].+)$",
    re.IGNORECASE,
)
# "can someone with admin do that": who is asked, not what to do.
QUALIFIER = re.compile(
    r"^(?:(?:with|from|on|in)\s+(?:\w+\s+){0,2}?(?:access|admin|rights|permissions?|team|ops|infra|\w+)\s+)(?=\w)", re.IGNORECASE
)
# Suggestions and soft offers: tasks only if a model (or a later "I'll do it") says so.
SUGGESTION = re.compile(
    r"(?:^|(?<=[\s,:(]))(?P<who>we should|we could|we might want to|let's|lets|let us|i could|i might|i should|i may)\s+(?P<rest>.+)$",
    re.IGNORECASE,
)
# What may come right before "I'll"/"I can" for it to start a clause ("so I'll", "ok, I'll", "🌮 I'll").
CLAUSE_START = re.compile(
    r"(?:^|[^\w\s']|\b(?:and|but|so|then|ok|okay|also|yeah|yea|ya|yep|yup|yes|sure|well|now|today|tomorrow|tonight|anyway|anyways|"
    r"honestly|fine|cool|great|alright|oh|ah|hey|plus|meanwhile|instead|otherwise|first|after that|in that case))\s*$",
    re.IGNORECASE,
)
DEPARTURE_VERBS = frozenset({"go", "leave", "head", "run", "end", "drive", "stop", "log", "sign", "bounce", "dip", "jump"})
LEAVING_CHAT = re.compile(
    r"^(?:exit|end|leave|close out|sign off|log off|hop off|shut down|close)\b.*\b(?:chat|conversation|here)\b|^(?:sign|log|hop) off\b(?!\s+(?:on\s+)?(?:the|this|that|my|your|our|his|her|their|it|them)\b)"
    r"|^get (?:ready|going|moving|dressed|some sleep)\b",
    re.IGNORECASE,
)
LEAVING = frozenset({"go", "leave", "head", "hop", "bounce", "dip"})
OBLIGATIONS = frozenset({"i need to", "i have to", "i've got to", "i gotta", "i must", "i still need to", "i still have to"})
ABILITY_ADVERBS = frozenset(
    {"barely", "easily", "always", "never", "usually", "sometimes", "only", "hardly", "totally", "really", "also", "still", "even"}
)
THIRD_PERSON_NAME = re.compile(r"^(?P<handle>[A-Za-z][\w'-]*)\s+(?:will|'ll|is going to|is gonna|to)\s+(?P<rest>.+)$", re.IGNORECASE)
ACCEPT = re.compile(
    r"^\W*(?:sure|ok|okay|k|kk|yes|yep|yup|yeah|ya|yah|yea|will do|on it|can do|got it|no problem|np|no prob|"
    r"absolutely|of course|sounds good|happy to|for sure|roger|alright|aye|definitely|consider it done|fine|fi+ne+|ugh fine|ok fine|"
    r"me|mine|i'm on it|im on it|i got it|i've got it|i got this|leave it (?:to|with) me|i can do (?:it|that|this)|"
    r"i'll do it|i will do it|i'll take (?:it|that|this)|i can take (?:it|that|this)|i take (?:it|that|this)|with pleasure|gladly|i can(?=\W*$)|i will(?=\W*$)|"
    r"\w+ing (?:it |them |that )?(?:now|atm)|(?:\w+ing )?now)\b",
    re.IGNORECASE,
)
# "haha yes will call tmrw morning": a laugh or an "oh" before the yes (counted only as a direct answer).
LAUGH = re.compile(r"^\W*(?:ha(?:ha)+|hah|lol|lmao|ah|oh|ooh|ugh|hm+|omg)\W+", re.IGNORECASE)
ACCEPT_EMOJI = re.compile(r"^[\s\U0001F44D\U0001F44C\U0001FAE1\u2705\u2714\ufe0f\U0001F64F\U0001F3FB-\U0001F3FF!.]+$")
REFUSE = re.compile(
    r"^\W*(?:no|nope|nah|sorry|unfortunately|not me|not this week|i can't|i cannot|can't|cannot|i won't|pass|(?:honestly\s+)?i'?d rather not)\b"
    r"|\b(?:can't|cannot|won't be able|don't have (?:the )?(?:time|bandwidth|capacity)|no time|too busy|swamped|not able to)\b"
    # "hmm im out thurs/fri. omar?": away, so not them.
    r"|^\W*(?:hmm+\W+|sorry\W+|ah\W+)?(?:i'm|im|i am|i'll be|ill be) (?:out|away|off|on leave|travell?ing)\b(?! of\b)"
    # "I don't have a windows machine anymore, sorry": no means to do it.
    r"|\b(?:i )?(?:don't|do not|dont) have (?:a|an|any|the)\b.*\bsorry\W*$",
    re.IGNORECASE,
)
NOT_A_REFUSAL = re.compile(r"^\W*(?:no (?:worries|problem|prob|biggie|stress)|sorry,? (?:on it|sure|will do|yes))", re.IGNORECASE)

DONE = re.compile(
    r"\b(?:done|finished|completed?|merged|shipped|deployed|fixed|pushed|sent|filed|posted|published|landed|"
    r"submitted|uploaded|wrapped up|taken care of|sorted|all set|approved|lgtm|resolved|is live|are live|is up|are up|"
    r"went out|is in|are in|it's up|it's live|it's done|its up|its live|"
    # "should work now Greg, try again": a fix reported to whoever hit the problem.
    r"should (?:work|be (?:fixed|working|good|ok|okay|sorted|live|up)) now|(?:it|that|this) works now|"
    # "@joe you should have jira admin + #leadership now": access granted.
    r"you should (?:now )?have [^.!?]{1,60}? now|"
    # "took care of it", "wrapped that up", "cleaned it up", "handled it"
    r"took care of (?:it|that|this|them)|(?:wrapped|cleaned|tidied) (?:it|that|this|them) up|handled (?:it|that|this|them))\b"
    r"|^\W*handled\W*$|[\u2705\u2714\u2611]",
    re.IGNORECASE,
)
NOT_DONE = re.compile(
    r"\b(?:not|n't|never|almost|nearly|once|when|after|until|if|soon|halfway|partially|some of|most of|half|the rest|"
    r"still|\d+ of|last (?:time|year|season|month)|every (?:time|year)|usually|always)\b|n't\b",
    re.IGNORECASE,
)
FUTURE = re.compile(r"\b(?:i'll|i will|will|gonna|going to|can you|could you|need to|should|shall|let me)\b", re.IGNORECASE)
CANCEL = re.compile(
    r"\b(?:never ?mind|nvm|scratch (?:that|this|the|it|my|our)|forget (?:about )?(?:it|that|this|the|my|our)|"
    r"(?:don't|do not|dont|won't|no longer) need|not needed|no need (?:to|for)|no longer (?:needed|doing|happening)|"
    r"cancel(?:led|ed)? (?:that|this|it|the)|drop (?:that|this|it)(?!\s+(?:\w+\s+)?(?:off|round|by|over)\b)|ignore (?:that|this|my)|"
    r"(?:are|is|we're|were) not doing|won't be doing|called off|(?:is|are|got) cancell?ed|don't bother|dont bother|"
    r"skip(?:ping)? (?:the|that|this|it)|skip then|(?:isn't|is not|not|aren't|are not) happening|we'?ll skip|can wait (?:for|until|till)|"
    # "scrapping it", "dropping the AR thing", "hold off on the flyers", "off the table", "shelved", "a no go".
    r"scrap(?:ping|ped|s)?(?: (?:that|this|it|the|my|our))?|dropp(?:ing|ed) (?:that|this|it|the|my|our|him|her|them)(?!\s+(?:\w+\s+)?(?:off|by|round|over|at|to|with|in)\b)|"
    # "say less. no pizza then", "so no balloons": the thing the task was for, no longer wanted.
    r"(?:^|[.!,]\s*|\bso\s+)no\s+(?!(?:worries|worry|problem|probs?|prob|rush|stress|need|idea|clue|way|one|thanks|pressure|luck|offen[cs]e|biggie|joke|cap|kidding|clue)\b)[a-z]+(?:\s+[a-z]+)?\s+then(?=\W|$)|\bso no\s+(?!(?:worries|problem|rush|need|idea|way|one|pressure)\b)[a-z]+(?:\s+(?:today|tonight|tomorrow|tmrw|\w+day|this \w+))?(?=\s*(?:$|,))|"
    r"hold(?:ing)? off|"
    # "I have to back out of driving", "pulling out of the bake sale"
    r"\b(?:back(?:ing|ed)?|pull(?:ing|ed)?|drop(?:ping|ped)?) out of\b|"
    # "host has spikes, don't rent anything" -> "sweet, not renting then"
    r"(?:^|[.!,]\s*|\bso\s+)not\s+[a-z]+ing\s+(?:it\s+|that\s+|them\s+|anything\s+)?then\b|"
    r"off the table|shelv(?:e|ed|ing)|(?:a|is a|it's a) no[ -]go|(?:isn't|is not|aren't|are not|not) needed|"
    r"(?:i'm|im|i am|we're|we are)? ?not doing (?:that|this|it|the)|park(?:ing|ed)? (?:that|this|it|the)|"
    r"call(?:ing|ed)? (?:it|that|this) off|pull(?:ing|ed)? the plug|abandon(?:ed|ing)?|(?:we|you) can skip|"
    # "you can drop the label stuff", "lets just drop among us", "closing it as wontfix", "not worth it"
    r"(?:let'?s|let us|you can|we can|can|just) (?:just )?(?:drop|bin|ditch|kill)|won'?t ?fix|not worth it|"
    # "we will not be doing the radio inventory this quarter after all"
    r"(?:won't|will not|not) be doing)\b",
    re.IGNORECASE,
)
REASSIGN_WORDS = re.compile(
    r"\b(?:instead|take over|taking over|take (?:this|that|it) (?:over|on)|pick (?:this|that|it) up|hand(?:ing)? (?:it|this|that) (?:off|over)|reassign\w*|"
    r"off (?:your|his|her|their|\w+'s) plate)\b",
    re.IGNORECASE,
)
REASSIGN_PRONOUN = re.compile(
    r"\b(?:take|taking|pick|handle|cover|grab|own)\s+(?:over\s+)?(?:this|that|it)\b|\b(?:this|that|it)\s+(?:instead|over)\b", re.IGNORECASE
)
TAKE = re.compile(r"\b(?:take|taking|pick|handle|cover|own)\b", re.IGNORECASE)
HANDOFF = re.compile(
    r"@(?P<handle>\w+)\s+(?:is|will be|'s)\s+(?:now\s+)?(?:handling|taking|doing|owning|on)\b|"
    r"(?:hand(?:ing)?|reassign(?:ing)?|pass(?:ing)?|give|giving)\s+(?:\w+\s+){0,4}?(?:off |over )?to\s+@(?P<handle2>\w+)",
    re.IGNORECASE,
)
TOPIC_IS_MINE = re.compile(r"^(?P<topic>.+?)\s+(?:is|are)\s+(?:mine|on me|my job|my problem)\b", re.IGNORECASE)

# Where a task's words stop: a new clause about reasons, timing or something else.
CLAUSE_CUT = re.compile(
    r"\s*(?:,\s|\s(?:so (?:that )?(?:it|we|they|i|you|he|she|the|[a-z]+ (?:can't|cant|won't|wont|doesn't|will|can))\b|"
    r"because\b|since\b(?!\s+(?:\d|v\d|last|yesterday|the last|monday|tuesday|wednesday|thursday|friday|saturday|sunday))|while\b|as soon as\b|unless\b|if (?:you|we|i|that|it|possible|needed)\b|"
    r"when you (?:get|have|can)\b|so we\b|once\b|before i\b|after i\b|but\b|and (?:i|i'm|im|we|it|it's|he|she|they|you)\b)|:\s|\(|\s[\u2014\u2013-]\s|\?|!|\.\s|\.$)",
    re.IGNORECASE,
)
TRAILING_FILLER = re.compile(
    r"(?:\s+(?:please|pls|plz|thanks|thx|ty|for me|real quick|quickly|too|as well|again|now|then|right away|"
    r"when you can|when you get a chance|if you can|if possible|asap|today|again|first|right|ok|okay|rn|atm|\u2197|"
    r"for us|later|instead|myself|ourselves|yourself))+\s*$|[\s.!?,;:\u2705\U0001F300-\U0001FAFF\u2600-\u27BF]+$",
    re.IGNORECASE,
)
LEADING_FILLER = re.compile(
    r"^(?:(?:also|just|quickly|please|pls|then|first|now|actually|still|go ahead and|go and|try to|try and|"
    r"make sure to|finally|definitely|really|totally)\s+)+",
    re.IGNORECASE,
)
INTERJECTION = re.compile(
    r"^\W*(?:(?:ok|okay|so|yeah|yea|ya|yes|yep|yup|sure|agreed|great|cool|alright|right|hmm+|ah|oh|ugh+|argh+|oof|welp|oops|whoops|damn|dang|well|and|also|then|"
    r"perfect|nice|thanks|ty|fine|honestly|tbh|lol|haha|good (?:call|point|idea|catch)|sounds good|fair|true|hey|hi|btw|anyway|re \w+)\b[\s,.!:;-]*)+",
    re.IGNORECASE,
)
REASON = re.compile(r"^\W*(?:since|because|as|while|if|unless|when|once|so|though|although)\b", re.IGNORECASE)
ITEMS_PREFIX = re.compile(r"^\W*(?:action items?|next steps|ais?|todos?|to-dos?|to dos?|owners?)\s*:\s*", re.IGNORECASE)
ITEM_SPLIT = re.compile(r"[,;]\s*(?:and\s+)?(?=@\w+\s+(?:to|will|'ll|can|should|please|pls)\b)", re.IGNORECASE)
# "we need to turn on X, can someone do that tonight?" holds two clauses.
REQUEST_SPLIT = re.compile(
    # "i'll do fr but can someone review after?": the promise, then a request of its own.
    r"(?:,\s+|\s+(?=but\s+(?:can|could|would)\s+(?:someone|somebody|anyone|anybody)\b))"
    r"(?=(?:(?:so|and|also|but)\s+)?(?:(?:can|could|would|will)\s+(?:you|u|someone|somebody|anyone|anybody)|(?:someone|somebody) else"
    r"|(?:someone|somebody|anyone) (?:must|needs to|has to|should)))",
    re.IGNORECASE,
)
QUESTION_TAIL = re.compile(r"\?[\s\W]*$")
# "try restarting it", "could you check whether X is set in your .env?": a step for the asker on their own setup.
DIAGNOSTIC = re.compile(
    r"^(?:try|trying)\s+\w+ing\b|^(?:check|see|confirm|verify)\s+(?:whether|if)\b.*\byour\b"
    # "can you run `pinwheel db:check` and paste the output?": information asked of a user in a support thread.
    r"|^run\b.*\band\s+(?:paste|post|share|send)\s+(?:the|its|me the|us the)?\s*(?:output|result|results|logs?)\b"
    # "pull + restart and the migration should go through": what a user does to get the fix
    r"|^(?:pull|restart|update|upgrade|reinstall|clear|reboot|re-?run)\b.*\band\s+(?:the\s+\w+\s+|it\s+)?should\s+(?:go through|work|be fine|fix)\b",
    re.IGNORECASE,
)
PERCEPTION = re.compile(
    r"^(?:see|hear|believe|imagine|tell (?:me |us )?(?:if|whether|what|how|why|where|which)|remind (?:me|us) (?:what|how|why|when|where)"
    # "can someone explain the ending of ep 18?": asking to be told, answered in the chat.
    r"|explain (?:why|what|how|whether|this|that|it|to me|to us)\b|explain (?:the|that|this) [\w-]+ (?:of|in|to me)"
    r"|explain the\b[^?]{0,60}\bthing\b"
    # "can anyone recommend something short?": asking for an opinion, not for work.
    r"|recommend|suggest)\b",
    re.IGNORECASE,
)

# "double check", "quickly fix": the verb is the second word.
VERB_MODIFIERS = frozenset({"double", "triple", "quickly", "re", "also", "just", "properly", "finally"})
CONTEXT_PRONOUNS = frozenset({"it", "this", "that", "them", "these", "those", "him", "her"})
# Work whose result is a link or a number to show: "that's #4412" after "I'll open an issue".
SHOW_VERBS = frozenset({"open", "file", "create", "make", "write", "draft", "post", "upload", "send", "share", "record", "publish"})
SEND_VERBS = frozenset({"send", "share", "post", "upload", "forward", "attach", "paste"})
STOP_NAMES = frozenset(
    {"me", "you", "we", "i", "it", "ok", "okay", "so", "yes", "no", "hey", "hi", "also", "and", "the", "dev", "team", "all", "everyone"}
)

# List markers before an item: "- ", "* ", "• ", "1. ", "2) ".
LIST_BULLET = re.compile(r"^\s*(?:[-*\u2022\u25aa\u25e6]|\d{1,2}[.)])\s+")
# "me: write up the summary" in an action-item list.
SELF_NAMES = frozenset({"me", "i", "myself", "mine"})
# A message mentioning this many people is a broadcast ("@a @b @c ... look at this"), never an assignment;
# neither is a sentence that opens with this many mentions.
MASS_MENTION_USERS = 8
MASS_MENTION_LEADING = 4
# Accounts that are, or pose as, bots: they never own a task, a request to them is a command, and
# "action items" written by a user named like a summarizer are not the channel's decisions.
BOT_LIKE_NAME = re.compile(r"\bbot\b|\bsummar(?:y|izer|iser)\b|\bsmolcord\b|\bassistant\b", re.IGNORECASE)
# Asking for a role or powers for someone ("please give zz_spam the support role", "hand me the server owner
# role", "make me admin") is a permissions decision for the server's staff, never a task the bot tracks
# (a raider posing as "Moderator" asks exactly this; a real moderator named "mod" still has tasks).
PRIVILEGE_REQUEST = re.compile(
    r"\b(?:give|grant|hand|assign|transfer)\s+(?:me|him|her|them|@?[\w-]+)\s+(?:the\s+|a\s+|an\s+)?(?:[\w-]+\s+){0,2}?"
    r"(?:role|roles|admin|admins|mod|moderator|owner|ownership|permissions?|perms)\b"
    r"|\bmake\s+(?:me|him|her|them|@?[\w-]+)\s+(?:an?\s+)?(?:admin|mod|moderator|owner)\b",
    re.IGNORECASE,
)

# Completion reported as the result, not as "done" (states.StateChanges._reported_done).
# Acts that are over as soon as they start: "tagging v0.9.0-rc1 now" means it is tagged.
INSTANT_VERBS = frozenset(
    {
        "move",
        "tag",
        "send",
        "post",
        "merge",
        "deploy",
        "ship",
        "release",
        "publish",
        "push",
        "book",
        "upload",
        "file",
        "submit",
        "cut",
        "share",
        "order",
    }
)
MEASURE_VERBS = frozenset({"measure", "benchmark", "profile", "time", "compare", "bench", "estimate", "count"})
CHECK_VERBS = frozenset({"check", "look", "investigate", "figure", "find", "debug", "verify", "confirm", "diagnose", "review"})
CONTACT_VERBS = frozenset({"call", "ask", "ping", "email", "message", "contact", "reach", "text"})
# A quantity with a unit: "41 ms", "6m 12s", "3.1x", "96%", "1.9 GB", "€38/pp", "$870".
MEASUREMENT = re.compile(
    r"(?:[$€£]\s?\d[\d,.]*|\b\d+(?:[.,]\d+)?\s?(?:ms|s|sec|secs|seconds|m|min|mins|minutes|h|hrs|hours|days?|weeks?|kb|mb|gb|tb|%|x|fps|rps|qps|k|/pp|pp)(?![a-z]))",
    re.IGNORECASE,
)
FINDING = re.compile(
    r"\b(?:found|turns out|it's|it is|looks like|the cause|root cause|because|(?:is|are|looks?) (?:fine|ok|okay|good|clean))\b"
)
# "the council says the hall is closed", "bakery said yes": the answer of whoever was contacted.
CONTACT_REPLY = re.compile(
    r"\b(?:says|said|replied|confirmed|got back|agreed|answered|is in|are in|is out|declined|recommended|suggested|told me|wrote back|responded)\b"
)
# "he recommended a photographer": the contacted person answering, named by a pronoun.
CONTACT_PRONOUN_REPLY = re.compile(
    r"^\W*(?:he|she|they)\s+(?:says|said|replied|confirmed|agreed|answered|declined|recommended|suggested|told me|wrote back|responded|knows)\b"
)
# "fix in #2301", "fix is up", "PR #412 is up": a fix posted for the task.
FIX_POSTED = re.compile(
    r"\bfix(?:ed)?\s+(?:is\s+)?(?:in|up|at|landed in|pushed to)\s+#?\d+|\bfix (?:pr )?is up\b|\bpr #?\d+ is up\b", re.IGNORECASE
)
# "DJ's booked", "the venue is confirmed", "tickets were bought": the task's object reported in its finished state.
PASSIVE_REPORT = re.compile(
    r"^\W*(?P<subject>[\w'-]+(?:\s+[\w'-]+){0,3}?)(?:'s|\u2019s|\s+is|\s+are|\s+was|\s+were|\s+got|\s+has been|\s+have been)\s+"
    r"(?:all\s+|now\s+|finally\s+)?(?P<participle>\w+ed|done|made|sent|built|bought|paid|set up|sorted|booked|written|drawn|up|live|ready)\b",
    re.IGNORECASE,
)
# "we're out of dish soap", "the printer is broken again": a lack that a following "someone grab some" is about.
NEED_STATED = re.compile(
    r"\b(?:(?:we're|we are|were|we've|we have|i'm|im)\s+(?:all\s+)?(?:out of|low on|running low on|short on|run out of|ran out of)|"
    r"(?:is|are|'s)\s+(?:broken|empty|dead|missing|gone|out)\b|need(?:s)? (?:a |some |more |new )?\w+)",
    re.IGNORECASE,
)
# "the form closes monday", "they need a headcount by nov 5": a deadline said about the work's subject.
# "have it demo-ready", "have a first draft of the tables", "have the slides done": saying when, not new work.
HAVE_READY = re.compile(
    r"^have\s+(?:(?:a|the|my|our)\s+(?:first\s+|rough\s+|final\s+)?(?:draft|version|cut|pass)\b"
    r"|.{0,60}?\b(?:ready|done|finished|sorted|drafted|[\w-]+-ready)\b"
    # "I'll have it to you tomorrow morning", "will have them over by friday"
    r"|(?:it|them|this|that)\s+(?:to|over to|back to|with)\s+(?:you|u|ya|\w+)\b)",
    re.IGNORECASE,
)
# "show notes will be done by friday": when the speaker's work will be finished, said about the work.
WILL_BE_READY = re.compile(
    r"^\W*(?P<thing>(?:the\s+|my\s+|our\s+)?[\w'#.+-]+(?:\s+[\w'#.+-]+){0,4}?)\s+(?:will|should|'ll)\s+be\s+"
    r"(?:done|ready|finished|up|in|out|sent|live|drafted)\b",
    re.IGNORECASE,
)
# "the deck deadline moves up to thursday", "the poster is now due monday": a task's deadline changed.
DEADLINE_MOVED = re.compile(
    r"\b(?:deadline|due date)\b[^.?!]{0,30}?\b(?:moves?|moved|moving|changed?|changing|shifts?|shifted|bumped|brought|is now)\b"
    r"(?:\s+(?:up|back|forward|out))?\s+(?:to\s+|till\s+|until\s+)?(?P<when>.+)$"
    r"|\b(?:is|are)\s+now\s+due\s+(?P<when2>.+)$"
    # "kettle pickup moves to the 15th then"
    r"|\b(?:moves?|moved|pushed|shifts?|shifted)\s+(?:up\s+|back\s+)?(?P<when3>to\s+.+)$"
    # "mei, timetable can come to me by fri 28th instead"
    r"|\b(?:by|until|till)\s+(?P<when4>[^.?!]+?)\s+instead\b",
    re.IGNORECASE,
)
# "monday is tight, tuesday ok?": the owner asking for another day.
OTHER_DAY = re.compile(
    r"(?P<when>[\w\s/.-]{2,30}?)\s+(?:ok|okay|work|works|fine|instead)\s*\?\s*$"
    # "vault thing is fine but we're mid-migration, realistically end of month?"
    r"|\b(?:realistically|maybe|how about|what about|could we say|can we say|more like|prob(?:ably)?)\s+(?P<when2>[\w\s/.-]{2,30}?)\s*\?\s*$"
    # "social calendar: can I push it to monday?"
    r"|\b(?:push|move|shift|bump)\s+(?:it|this|that|them)\s+(?:back\s+)?(?:to|till|until)\s+(?P<when3>[\w\s/.-]{2,30}?)\s*\?\s*$",
    re.IGNORECASE,
)
# "ping me when the form draft is ready", "let me know": asking to be told, not work.
ASKED_TO_BE_TOLD = re.compile(r"^\W*(?:ping|tell|notify|text|dm|message|let|lmk)\s+(?:me|us)\b(?!\s+(?:the|a|your|all)\b)", re.IGNORECASE)
# "by 6pm tmrw so we can lay it out early": a sentence that only says by when.
DEADLINE_SENTENCE = re.compile(r"^\W*(?:by|before|due|no later than|latest)\b", re.IGNORECASE)
# "homework before wed:" heading a list of assignments: the list's deadline.
DEADLINE_HEADER = re.compile(r"^[^:\n]{0,40}\b(?:by|before|due|until|for)\b[^:\n]{1,25}:\s*$", re.IGNORECASE)
# "tab wants them confirmed by the 6th": a later sentence giving the work just asked for ("them") its deadline.
DEADLINE_BACK = re.compile(r"\b(?:it|them|that|those|these)\b[^.?!]{0,30}?\b(?:by|before|no later than)\b", re.IGNORECASE)
# "could you take the timetable? draft to me by next wednesday": a sentence of the ask's message that only gives its deadline.
# ("60s cut by friday, I'll need screen recordings": a promise after the deadline is another matter).
DEADLINE_ASIDE = re.compile(
    r"^(?:(?!\b(?:i'll|i will|we'll|i can|can you|could you)\b)[^.?!]){0,40}\b(?:by|before|due|no later than)\b", re.IGNORECASE
)
# "copy deadline is wednesday 6pm for everything", "everything's due friday": one deadline for all the work.
EVERYTHING_DUE = re.compile(
    r"\b(?:deadline|due)\b[^.?!]{0,40}?\bfor (?:everything|everyone|all)\b|\beverything(?:'s|\s+is)?\s+due\b", re.IGNORECASE
)
DEADLINE_WORD = re.compile(r"\b(?:by|before|due|closes?|closing|deadline|until|no later than)\b", re.IGNORECASE)
# "favours are MINE", "the slides are mine", "florist chasing i can do": the work named, then taken by the speaker.
CLAIMED = re.compile(
    r"^\W*(?P<thing>(?:the\s+)?[a-z][\w'-]*(?:\s+[\w'-]+){0,3}?)\s+(?:(?:is|are|'s)\s+(?:all\s+)?mine\b|(?:i can do|i'll do|i got)(?=\W*$|\s*[,.!])"
    # "volunteer schedule - happy to": a listed item, taken.
    r"|[-\u2013:]\s+(?:happy to|me|mine|on it|i'?ll do it|i can do it)\b)",
    re.IGNORECASE,
)
# "I'm still booking the cottage this week": under way, the speaker's.
DOING_NOW = re.compile(
    r"^\W*(?:(?:and|heads up|fyi|btw|also)\W+)?i'?m\s+(?:still\s+|currently\s+|also\s+)?(?P<verb>[a-z]+ing)\s+(?P<rest>(?:the|a|an|my|our|those|these)\s+.+)$",
    re.IGNORECASE,
)
# "want me to take the demo video?", "should I take over the slides?", "I can take the video if you want":
# an offer to take someone's task over; it changes hands when its owner accepts.
OFFER = re.compile(
    r"\b(?:(?:do\s+)?(?:you\s+)?want\s+me\s+to|should\s+i|shall\s+i|i\s+can|i\s+could|let\s+me)\s+"
    r"(?:take(?:\s+over)?|do|handle|grab|cover|own|pick\s+up)\s+(?P<rest>[^?]{2,80}?)(?:\?|\s+if\s+you\s+(?:want|need|like)\b|$)",
    re.IGNORECASE,
)
# "want me to chase?", "should I write a short rationale blurb?": new work offered, the speaker's once someone says yes.
NEW_OFFER = re.compile(
    r"\b(?:(?:do\s+)?(?:you\s+)?want\s+me\s+to|should\s+i|shall\s+i)\s+(?P<rest>[a-z][^?]{1,80}?)\s*\?"
    # "would you take a PR for the cpu fallback?": offering to write it
    r"|\b(?:would|will|could)\s+(?:you|u|y'all)\s+(?:take|accept|merge)\s+(?P<pr>a\s+(?:pr|patch|contribution|mr)\s+for\s+[^?]{1,80}?)\s*\?",
    re.IGNORECASE,
)
# "yes pls", "please do", "go for it": the answer that takes an offer up.
OFFER_TAKEN = re.compile(
    r"^\W*(?:yes|yep|yeah|ya|yea|sure|ok|okay|please|pls|plz|go for it|go ahead|do it|would be great|that'd be great|absolutely|definitely"
    r"|of course|for sure|100%)\b",
    re.IGNORECASE,
)
# "cant this week fr, moving apartment. drift can u take it": handing on work of one's own (from its owner only).
HAND_ON_ASK = re.compile(r"\b(?:can|could) (?:you|u) take (?:it|this|that|them)(?!\s+(?:home|back|out|down|off|easy)\b)\b", re.IGNORECASE)
# "barrow party tomorrow is OFF", "the hike is cancelled": an event called off, named before it.
EVENT_OFF = re.compile(
    r"^\W*(?:(?:ok|okay|so|sorry|update)\W+)?(?:calling it\W+)?(?P<what>(?:the\s+)?[a-z][\w'-]*(?:\s+[\w'-]+){0,3}?)\s+"
    r"(?:is|are|'s|got)\s+(?:now\s+|officially\s+)?(?:off|cancell?ed)\b(?![ -](?:to|for|on|at|until|till|work|sick)\b)",
    re.IGNORECASE,
)
# "the video is yours", "all yours", "it's yours": the owner handing a task to whoever offered.
YOURS = re.compile(r"\b(?:is|are|it's|its)\s+(?:all\s+)?yours\b|\ball yours\b|\bplease do\b|\bgo for it\b|\btake it\b", re.IGNORECASE)
# "seed data loaded, 2,400 recipes", "all 4 beds assembled", "room 3B is ours", "soil's here": the task's object,
# named first, in its finished state (a past participle or a state of having it), with no copula needed.
STATE_REPORT = re.compile(
    r"^\W*(?:(?:ok|okay|so|and|update|fyi)\W+)?(?:all\s+|both\s+|the\s+|my\s+|our\s+|\d[\d,.]*\s+)*"
    r"(?P<subject>[\w'-]+(?:\s+[\w'-]+){0,3}?)"
    r"(?:'s|\u2019s|\s+is|\s+are|\s+was|\s+were|\s+got|\s+has been|\s+have been)?\s+"
    r"(?:all\s+|now\s+|finally\s+|just\s+|officially\s+)?"
    r"(?P<state>\w+ed|made|sent|built|bought|paid|set up|sorted|booked|written|drawn|done|here|gone|through|in|out|up|ours|in hand|ready|secured|live)\b",
    re.IGNORECASE,
)
# "db-7 alert now fires at 85% for 10 min instead of 80%": the new state, in the present tense.
NOW_DOES = re.compile(r"\bnow (?:\w+s|is|are)\b", re.IGNORECASE)
# "runbook has a new 'rate limiter alerts' section now": the thing changed as the task asked.
# "deck has the march numbers now".
HAS_NEW = re.compile(
    r"\b(?:has|have|got)\s+(?:a|an)\s+new\b.*\bnow\b|\bnow (?:has|have) (?:a|an)\b|\b(?:has|have)\s+the\s+[\w' -]{1,40}?\s+now\b",
    re.IGNORECASE,
)
# "thumbnail \u2197 https://...", "flashcards: <link>": the result, named and shown.
SHOWN_RESULT = re.compile(r"^\W*(?P<topic>[a-z][\w' -]{1,40}?)\s*(?:[:\u2197\u2192\u27a1]|->|=>|-{1,2}>?)\s*\S", re.IGNORECASE)
# Work the member does for themself in their free time: "I'm going to reread it", "gonna grind ranked".
HOBBY_VERBS = frozenset({"reread", "rewatch", "binge", "replay", "grind", "nap", "cry", "chill", "relax", "vibe", "stream"})
# "today: I'll write the docs" in a stand-up: the day the line is for.
# "today: wrap up 398", and the stand-up shorthand "t: catching up on reviews" (y / t / b).
DAY_PREFIX = re.compile(r"^\W*(?P<day>today|tomorrow|tonight|this week|next week|t|td|tdy)\s*:", re.IGNORECASE)

# "quotes: la cucina €38/pp", "retention policy: 14 days, applied", "flashcards: <link>": the result under its name.
TOPIC_REPORT = re.compile(r"^\W*(?P<topic>[a-z][\w' -]{1,40}?)\s*:\s*\S", re.IGNORECASE)
# What a pronoun task carries to say what "it" was: "Look into it (re: the login page is broken)".
CONTEXT_NOTE = " (re: "
# Personal trading plans in a market channel ("I'll buy the dip", "gonna hold through earnings"):
# a member's own money, not the group's work.
TRADE_VERBS = frozenset({"buy", "sell", "hold", "hodl", "short", "long", "ape", "dca", "rebalance", "trade", "average"})
MARKET_WORDS = frozenset(
    {
        "dip",
        "dips",
        "stock",
        "stocks",
        "calls",
        "puts",
        "bags",
        "bag",
        "position",
        "positions",
        "portfolio",
        "earnings",
        "401k",
        "ira",
        "btc",
        "eth",
        "sol",
        "crypto",
        "coin",
        "coins",
        "spot",
        "leverage",
        "shares",
        "bottom",
        "top",
        "rally",
    }
)
# "I'll check the asia open tomorrow", "gonna watch the charts": following the market, a member's own pastime.
MONITOR_VERBS = frozenset({"check", "watch", "monitor", "follow", "track"})
MARKET_SESSION_WORDS = frozenset(
    {
        "asia",
        "london",
        "tokyo",
        "premarket",
        "pre-market",
        "futures",
        "chart",
        "charts",
        "candles",
        "ticker",
        "funding",
        "market",
        "markets",
        "fed",
        "fomc",
        "cpi",
        "powell",
    }
)
# Words of market chatter: a channel where a fifth of the messages use them is a market channel, where buying,
# selling and watching are the members' own business whatever they name ("gonna buy more vti on friday").
MARKET_CHANNEL_WORDS = (
    MARKET_WORDS
    | MARKET_SESSION_WORDS
    | frozenset({"etf", "etfs", "index", "s&p", "spy", "qqq", "nasdaq", "dow", "bonds", "yield", "yields", "rates", "dividend", "ticker"})
)
ALWAYS_PERSONAL_VERBS = frozenset({"hold", "hodl", "ape", "dca"})
# A fantasy league's lineup moves ("i'll bench mixon too", "gonna start warren at flex"): one's own team, not work.
LINEUP_VERBS = frozenset({"bench", "start", "sit", "flex", "waive", "stash"})
FANTASY_WORDS = frozenset(
    {"fantasy", "flex", "waiver", "waivers", "lineup", "roster", "ppr", "matchup", "bench", "benching", "starting", "trade"}
)
SECOND_PERSON_REQUEST = re.compile(
    r"^\W*(?:(?:ok|okay|so|and|also|then)\W+)?(?:can|could|would|will)\s+(?:you|u)\b(?!\s+(?:all|guys|both)\b)", re.IGNORECASE
)
# "so no 70m from me, it's going in the bin": the thing the speaker was to bring or do is off.
NONE_FROM_ME = re.compile(r"\bno (?P<thing>[\w-]+(?: [\w-]+)?) from me\b", re.IGNORECASE)
# Whether a give-up asks for someone to take the work ("can someone cover it?"); if not and nobody does, it is dropped.
TAKER_WANTED = re.compile(r"\b(?:someone|somebody|anyone|anybody|else)\b|\?", re.IGNORECASE)
# "the docs site now says 2.3.0", "prod now runs 1.4": the state the task was to bring about.
NOW_STATE = re.compile(r"\bnow (?:says|shows|reads|points to|has|uses|runs|returns|displays|lists)\b", re.IGNORECASE)
# "ok so amines is up for grabs" (after its owner dropped out): the named task waits for a taker, whoever says it.
UP_FOR_GRABS = re.compile(
    r"(?P<what>[\w'#/+-]+(?:\s+[\w'#/+-]+){0,4}?)\s+(?:is|are|'s)\s+(?:now\s+|officially\s+)?(?:up for grabs|unclaimed|free for anyone)\b",
    re.IGNORECASE,
)
# The owner gives a task back: "can you hand the windows installer to someone else?", "I can't do it after all".
RELEASE = re.compile(
    r"\b(?:hand|give|pass|reassign)\s+(?:it|this|that|the [\w\s-]{1,30}?)\s+(?:off\s+|over\s+)?to\s+(?:someone|somebody|anyone) else\b"
    r"|\b(?:someone|somebody) else (?:take|do|handle|pick up|grab|cover|get|sort)\b|\bcan'?t do (?:it|this|that) after all\b"
    # "work just put me on saturday. i can't drive anymore"
    r"|\bi (?:can't|cant|cannot|won't be able to) [a-z]+ (?:anymore|any more)\b"
    # "i cant make the 31st after all ... can someone cover the among us lobby?"
    r"|\bcan (?:someone|somebody|anyone|anybody) (?:cover|take over|take|pick up|do) (?:it|this|that|the|my)\b(?=.*\?)"
    # "I won't get to the AccessDenied alert before I'm off": the owner will not do it after all.
    r"|\bi (?:won't|wont|will not|can't|cant|cannot) (?:get to|get round to|get around to|make time for|finish|do|manage) (?:the|my|it|this|that|#\d+)"
    # "labels: we're missing two. but i can't edit them, my asc role is only developer"
    r"|\bbut i (?:can't|cant|cannot) (?:edit|change|update|access|touch) (?:it|them|this|that)\b",
    re.IGNORECASE,
)
# An integration bot's report that a ticket is finished: "Pull request merged: #2236 PAY-412 ...",
# "SMOL-231 ... moved to Done by jonas", "[IT-4471] ... status changed to Done".
INTEGRATION_DONE = re.compile(
    r"\b(?:pull request|merge request|PR|issue)\s+(?:merged|closed(?! as not planned))\b"
    r"|\b(?:moved|changed|transitioned|set)\s+to\s+(?:done|closed|resolved|shipped)\b",
    re.IGNORECASE,
)
